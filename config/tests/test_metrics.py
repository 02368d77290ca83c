"""/metrics: request and database metrics, and access control by token and network."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the exposition text, or None when absent."""
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{key}="{value}"' in match.group(1) for key, value in labels.items()):
            return float(match.group(2))
    return None


def _scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_show_request_and_database_metrics_after_a_few_requests(client):
    before = _scrape(client)
    for _ in range(3):
        assert client.get("/admin/login/").status_code == 200
        assert client.get("/readyz").status_code == 200  # runs a query
    after = _scrape(client)

    def grew(name: str, **labels: str) -> float:
        return (_sample(after, name, **labels) or 0) - (_sample(before, name, **labels) or 0)

    assert grew("django_http_requests_total_by_method_total", method="GET") >= 3
    assert grew("django_http_responses_total_by_status_total", status="200") >= 3
    assert grew("django_http_requests_total_by_view_transport_method_total", view="admin:login", method="GET") >= 3
    assert grew("django_db_execute_total", alias="default", vendor="postgresql") >= 3
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in after


def test_metrics_need_the_token_when_one_is_configured(client, settings):
    settings.METRICS_TOKEN = "scrape-token-123"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


def test_metrics_refuse_addresses_outside_the_allowed_networks(client, settings):
    settings.METRICS_ALLOWED_CIDRS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
