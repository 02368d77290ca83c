"""Liveness, readiness and graceful degradation when Redis is down."""

from __future__ import annotations

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_dependencies(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_every_dependency_when_all_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_naming_redis_while_redis_is_unreachable(client, redis_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False
    assert checks["broker"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_rest_of_the_site_answers_while_redis_is_unreachable(client, redis_down):
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 200


def test_cache_outage_degrades_to_a_miss(redis_down, caplog):
    cache.set("foundation:key", "value")  # no exception
    assert cache.get("foundation:key", "fallback") == "fallback"
    assert cache.get("foundation:key") is None
    assert any(record.name == "chairside.cache" for record in caplog.records)


def test_cache_round_trip_on_the_real_redis():
    cache.set("foundation:key", "value", 30)
    assert cache.get("foundation:key") == "value"


def test_probes_answer_for_any_host_and_over_plain_http(client, settings):
    """Container health checks call by IP; the HTTPS redirect and ALLOWED_HOSTS must not turn them into 301/400."""
    settings.ALLOWED_HOSTS = ["chairside.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/admin/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400
