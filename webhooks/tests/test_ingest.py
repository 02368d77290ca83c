"""The webhook endpoint: handshake, 401/403/400, durable idempotent storage, size limit, metrics, body-free logs."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from prometheus_client import REGISTRY

from webhooks.models import EventStatus, WebhookEvent
from webhooks.services import sign
from webhooks.tests.conftest import SECRET, URL, wsgi_post
from webhooks.tests.payloads import body_of, fixture_body, messages_change, payload_of, text_message

pytestmark = pytest.mark.django_db


def metric(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_handshake_echoes_the_challenge_as_plain_text(client):
    response = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "verify-me-7d1e", "hub.challenge": "1158201444"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me-7d1e", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me-7d1e"},
        {},
    ],
)
def test_handshake_refuses_anything_else_with_403(client, params):
    assert client.get(URL, params).status_code == 403


def test_missing_signature_is_401_counted_and_logged_without_the_body(client, caplog):
    before = metric("chairside_webhook_invalid_signature_total", reason="missing")
    body = fixture_body("inbound_text.body")
    with caplog.at_level(logging.WARNING, logger="chairside.webhooks"):
        response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 401
    assert metric("chairside_webhook_invalid_signature_total", reason="missing") == before + 1
    assert not WebhookEvent.objects.exists()
    assert "signature refused" in caplog.text
    assert "haircut" not in caplog.text and "Sheena" not in caplog.text


def test_wrong_signature_is_403_counted_and_logged_without_the_body(post_signed, caplog):
    before = metric("chairside_webhook_invalid_signature_total", reason="mismatch")
    with caplog.at_level(logging.WARNING, logger="chairside.webhooks"):
        response = post_signed(fixture_body("inbound_text.body"), secret="not-the-app-secret")
    assert response.status_code == 403
    assert metric("chairside_webhook_invalid_signature_total", reason="mismatch") == before + 1
    assert not WebhookEvent.objects.exists()
    records = [r for r in caplog.records if r.name == "chairside.webhooks"]
    assert records and all("haircut" not in json.dumps(vars(r), default=str) for r in records)


def test_signed_body_that_is_not_json_is_stored_as_failed_and_answered_400(post_signed):
    response = post_signed(b"this is not json \xff")
    assert response.status_code == 400
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.FAILED
    assert event.last_error.startswith("body is not JSON")
    assert event.next_attempt_at is None  # never retried: it cannot succeed
    assert event.body_bytes == b"this is not json \xff"


def test_signed_json_that_is_not_an_object_is_stored_as_failed_and_answered_400(post_signed):
    assert post_signed(b"[1, 2, 3]").status_code == 400
    assert WebhookEvent.objects.get().last_error == "body is JSON but not an object (list)"


def test_valid_post_is_stored_raw_with_hash_and_due_now(post_signed):
    body = fixture_body("inbound_text_non_ascii.body")
    before = metric("chairside_webhook_received_total", outcome="stored")
    response = post_signed(body)
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.body_bytes == body
    assert event.status == EventStatus.RECEIVED
    assert event.attempts == 0
    assert event.received_at is not None and event.next_attempt_at == event.received_at
    assert bytes(event.body_sha256) == hashlib.sha256(body).digest()  # 32 raw bytes
    assert metric("chairside_webhook_received_total", outcome="stored") == before + 1


def test_same_body_delivered_three_times_is_stored_once(post_signed):
    body = fixture_body("inbound_text.body")
    before = metric("chairside_webhook_received_total", outcome="duplicate")
    assert [post_signed(body).status_code for _ in range(3)] == [200, 200, 200]
    assert WebhookEvent.objects.count() == 1
    assert metric("chairside_webhook_received_total", outcome="duplicate") == before + 2


def test_body_of_three_megabytes_is_accepted(post_signed):
    messages = [text_message(f"wamid.BIG{i:06d}", text="x" * 900) for i in range(3130)]
    body = body_of(payload_of(messages_change(messages=messages)))
    assert 2.9e6 < len(body) <= 3 * 1024 * 1024
    assert post_signed(body).status_code == 200
    assert WebhookEvent.objects.get().body_bytes == body


def test_body_over_the_limit_is_refused_and_not_stored(post_signed, client, settings):
    body = b"{" + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b"}"
    assert post_signed(body).status_code == 413  # the fast path (what gunicorn and runserver serve)
    assert client.post(URL, data=body, content_type="application/json").status_code == 400  # the Django view
    assert not WebhookEvent.objects.exists()


def test_other_methods_are_not_allowed(client):
    assert client.put(URL, data=b"{}").status_code == 405


def test_missing_signature_on_the_fast_path_is_401_and_other_requests_reach_django(client):
    from webhooks.tests.conftest import wsgi_post

    response = wsgi_post(URL, fixture_body("inbound_text.body"), {"X-Request-ID": "meta-delivery-1"})
    assert response.status_code == 401 and response.headers["X-Request-ID"] == "meta-delivery-1"
    assert not WebhookEvent.objects.exists()
    # Anything but the webhook POST goes through Django and its middleware as usual.
    assert wsgi_post("/api/v1/me/", b"{}", {}).status_code == 401


def test_a_database_failure_is_a_503_that_stores_nothing_and_marks_the_connection(post_signed, monkeypatch):
    import psycopg
    from django.db import connection

    def refuse(self, *args, **kwargs):
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(psycopg.Cursor, "execute", refuse)
    response = post_signed(fixture_body("inbound_text.body"))
    monkeypatch.undo()
    assert response.status_code == 503  # the database is unavailable: Meta redelivers, nothing is lost
    assert not WebhookEvent.objects.exists()
    # Translated into Django's error and flagged: the end of the request closes a broken connection.
    assert connection.errors_occurred
    connection.errors_occurred = False


def test_fast_path_handles_the_database_connection_around_the_post_as_a_request_would():
    calls = []
    body = fixture_body("inbound_text.body")
    response = wsgi_post(
        URL,
        body,
        {"X-Hub-Signature-256": sign(body=body, secret=SECRET)},
        connection_handling=lambda: calls.append("close_old_connections"),
    )
    assert response.status_code == 200
    assert calls == ["close_old_connections", "close_old_connections"]  # before and after, as the signals would
