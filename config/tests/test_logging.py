"""Request ids: accepted from and returned in X-Request-ID, and present on every JSON log line of the request."""

from __future__ import annotations

import io
import json
import logging

import pytest

from config.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """Captures the django.request logger's output as our production handler formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123.def")
    assert response["X-Request-ID"] == "abc-123.def"


def test_a_missing_or_unsafe_request_id_is_replaced_by_a_fresh_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32
    assert first != second


def test_log_lines_of_a_request_are_json_with_its_request_id(client, json_log):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")

    [line] = [line for line in json_log() if line.get("path") == "/no-such-page/"]
    assert line["request_id"] == "req-404"
    assert line["level"] == "WARNING"
    assert line["status_code"] == 404


def test_responses_logged_after_the_middleware_still_carry_the_request_id(client, json_log, redis_down):
    client.get("/readyz", HTTP_X_REQUEST_ID="req-503")

    [line] = [line for line in json_log() if line.get("path") == "/readyz"]
    assert line["request_id"] == "req-503"
    assert line["status_code"] == 503
