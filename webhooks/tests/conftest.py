"""Fixtures of the webhook tests: the app secrets, the salon the fixture bodies are addressed to, a signed-POST client
(the bodies themselves: ``webhooks.tests.payloads``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

# Imported here, not inside a test: its first import runs django.setup(), whose logging dictConfig replaces the root
# handlers, pytest's caplog handler among them, and a test that first touched it would capture no records.
from config.wsgi import application
from salons.tests.factories import SalonFactory
from webhooks.services import sign
from webhooks.tests.payloads import PHONE_NUMBER_ID, WABA_ID

SECRET = "test-app-secret-0f3c9a"
VECTOR_SECRET = "1222e786b144d0e85b9f365372d93676"
URL = "/webhooks/whatsapp/"


@pytest.fixture(autouse=True)
def _app_secrets(settings):
    settings.WHATSAPP_APP_SECRETS = [SECRET, VECTOR_SECRET]
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me-7d1e"


@pytest.fixture
def no_assistant(monkeypatch):
    """No reply is enqueued for inbound messages (the assistant is tested in ai_conversations)."""
    monkeypatch.setattr("ai_conversations.services.assistant_enqueue_reply", lambda *, salon, message: None)


@pytest.fixture
def fixture_salon(db):
    """The salon the fixture bodies are addressed to."""
    return SalonFactory(phone_number_id=PHONE_NUMBER_ID, waba_id=WABA_ID)


@dataclass
class WsgiResponse:
    status_code: int
    content: bytes
    headers: dict


def wsgi_post(path: str, body: bytes, headers: dict[str, str], *, connection_handling=lambda: None) -> WsgiResponse:
    """POST through the project's real WSGI application (``config.wsgi``, the webhook's fast path included).

    ``connection_handling`` stands in for the fast path's own ``close_old_connections`` call: a no-op by default,
    so that the test's transaction survives the request, as Django's test client arranges for the request signals."""

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    started: dict = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"], started["headers"] = int(status.split()[0]), dict(response_headers)

    # As Django's test client does: the test's transaction must survive the request's connection handling (the fast
    # path calls close_old_connections itself; other requests reach Django and its request signals).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with mock.patch("webhooks.wsgi.close_old_connections", connection_handling):
            content = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return WsgiResponse(started["status"], content, started["headers"])


@pytest.fixture
def post_signed():
    """POST a body the way Meta does (raw bytes, signed with the app secret or the one given), through the WSGI app."""

    def _post(body: bytes, *, secret: str = SECRET, signature: str | None = None):
        header = signature if signature is not None else sign(body=body, secret=secret)
        return wsgi_post(URL, body, {"X-Hub-Signature-256": header} if header else {})

    return _post
