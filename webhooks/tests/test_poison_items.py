"""Items that can never be processed (an empty or non-numeric sender, NUL, unpaired surrogates, a 60-digit sender, a
timestamp beyond any calendar) are marked invalid once with the reason; the rest of the event is processed."""

from __future__ import annotations

import http.client
import io
from urllib.parse import urlsplit

import pytest
from django.core.handlers.wsgi import WSGIHandler

from messaging.models import Message
from salons.models import Customer
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory
from tests.servers import running_gunicorn
from webhooks import processor
from webhooks.models import EventStatus, ItemStatus, WebhookEvent
from webhooks.relay import events_drain
from webhooks.services import sign
from webhooks.tests.conftest import SECRET, URL
from webhooks.tests.payloads import body_of, fixture_body, messages_change, payload_of, status_update, text_message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_assistant")]


def deliver(post_signed, payload: dict) -> WebhookEvent:
    assert post_signed(body_of(payload)).status_code == 200
    events_drain(batch_size=50)
    return WebhookEvent.objects.get()


def test_an_empty_sender_is_invalid_and_never_joins_a_customer_who_has_no_whatsapp_id(post_signed, fixture_salon):
    # A customer added at the desk (no WhatsApp id yet) must not receive someone's message with "from": "".
    walk_in = CustomerFactory(salon=fixture_salon, phone="+4915112345678", wa_id="", name="Walk-in")
    event = deliver(post_signed, payload_of(messages_change(messages=[text_message("wamid.EMPTY", sender="")])))
    assert event.status == EventStatus.PROCESSED and event.attempts == 1 and event.next_attempt_at is None
    assert event.results["0.0.m0"]["status"] == ItemStatus.INVALID
    assert event.results["0.0.m0"]["reason"] == "sender (from or from_user_id) is missing"
    assert event.last_error == "1 item(s) invalid: 0.0.m0"
    assert not Message.all_salons.exists()
    with salon_scope(fixture_salon):
        assert list(Customer.objects.values_list("pk", "wa_id", "name")) == [(walk_in.pk, "", "Walk-in")]


def test_a_sender_that_is_not_a_phone_number_creates_no_customer(post_signed, fixture_salon):
    message = text_message("wamid.XSS", sender="abc<script>")
    event = deliver(post_signed, payload_of(messages_change(messages=[message])))
    outcome = event.results["0.0.m0"]
    assert outcome["status"] == ItemStatus.INVALID
    assert outcome["reason"] == "sender (from) abc<script> is not a WhatsApp id (the digits of a phone number)"
    assert not Customer.all_salons.exists() and not Message.all_salons.exists()


def _with(message: dict, **changes) -> dict:
    return {**message, **changes}


@pytest.mark.parametrize(
    ("poison", "reason"),
    [
        (lambda m: _with(m, text={"body": "hi\u0000there"}), "text.body contains a NUL character"),
        (lambda m: _with(m, text={"body": "hi \ud83d"}), "text.body contains an unpaired surrogate (not UTF-8)"),
        (lambda m: _with(m, id="wamid.\u0000"), "id contains a NUL character"),
        (
            lambda m: _with(m, **{"from": "1" * 60}),
            f"sender (from) {'1' * 60} is not a WhatsApp id (the digits of a phone number)",
        ),
        (
            lambda m: _with(m, timestamp="99999999999999999999999"),
            "timestamp 99999999999999999999999 is not a time in seconds since 1970",
        ),
        (lambda m: _with(m, timestamp="99999999999"), "timestamp 99999999999 is in the future"),
        (lambda m: _with(m, timestamp="-5"), "timestamp -5 is not a time in seconds since 1970"),
    ],
    ids=["nul", "lone-surrogate", "nul-in-id", "60-digit-sender", "huge-timestamp", "year-5138", "negative"],
)
def test_a_poisoned_message_is_invalid_once_and_the_rest_of_the_event_is_processed(
    post_signed, fixture_salon, poison, reason
):
    good_before = text_message("wamid.GOOD1")
    bad = poison(text_message("wamid.BAD", sender="16505550000"))
    good_after = text_message("wamid.GOOD2", sender="16505559999")
    event = deliver(post_signed, payload_of(messages_change(messages=[good_before, bad, good_after])))
    assert event.status == EventStatus.PROCESSED
    assert event.attempts == 1 and event.next_attempt_at is None  # not retried: it would fail every time
    assert {key: outcome["status"] for key, outcome in event.results.items()} == {
        "0.0.m0": ItemStatus.PROCESSED,
        "0.0.m1": ItemStatus.INVALID,
        "0.0.m2": ItemStatus.PROCESSED,
    }
    assert event.results["0.0.m1"]["reason"] == reason
    assert event.last_error == "1 item(s) invalid: 0.0.m1"
    assert sorted(Message.all_salons.values_list("wamid", flat=True)) == ["wamid.GOOD1", "wamid.GOOD2"]


def test_a_nul_in_the_senders_profile_name_makes_only_that_message_invalid(post_signed, fixture_salon):
    contacts = [
        {"profile": {"name": "Evil\u0000Name"}, "wa_id": "16505550000"},
        {"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"},
    ]
    messages = [text_message("wamid.BAD", sender="16505550000"), text_message("wamid.GOOD")]
    event = deliver(post_signed, payload_of(messages_change(messages=messages, contacts=contacts)))
    assert event.results["0.0.m0"] == {
        "kind": "message",
        "ref": "wamid.BAD",
        "salon": str(fixture_salon.pk),
        "status": ItemStatus.INVALID,
        "reason": "contacts[0].profile.name contains a NUL character",
    }
    assert event.results["0.0.m1"]["status"] == ItemStatus.PROCESSED
    assert list(Message.all_salons.values_list("wamid", flat=True)) == ["wamid.GOOD"]


def test_a_status_with_a_huge_timestamp_or_a_nul_id_is_invalid(post_signed, fixture_salon):
    statuses = [
        status_update("wamid.OUT1", "delivered", 10**30),
        status_update("wamid.\u0000", "read", 1763730050),
    ]
    event = deliver(post_signed, payload_of(messages_change(statuses=statuses)))
    assert event.status == EventStatus.PROCESSED and event.attempts == 1
    assert event.results["0.0.s0"]["reason"] == f"timestamp {10**30} is not a time in seconds since 1970"
    # The reference is stored escaped: PostgreSQL's jsonb takes no NUL.
    assert event.results["0.0.s1"]["ref"] == "wamid.\\u0000"
    assert event.results["0.0.s1"]["reason"] == "id contains a NUL character"


def test_a_nul_in_the_phone_number_id_is_an_unknown_number_not_a_failed_event(post_signed, fixture_salon):
    event = deliver(
        post_signed, payload_of(messages_change(phone_number_id="1065\u0000", messages=[text_message("wamid.X")]))
    )
    assert event.status == EventStatus.IGNORED and event.attempts == 1
    assert event.results["0.0.m0"]["reason"] == "unknown or inactive phone_number_id '1065\\x00'"


def test_an_invalid_item_is_not_looked_at_again_when_the_event_is_retried(post_signed, fixture_salon, monkeypatch):
    from messaging import inbound

    real = inbound.inbound_message_receive
    calls = []

    def hiccup_once(*, salon, value, message):
        calls.append(message["id"])
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return real(salon=salon, value=value, message=message)

    monkeypatch.setattr(inbound, "inbound_message_receive", hiccup_once)
    real_problem = processor.item_problem
    checked = []

    def counted_problem(kind, payload, value):
        checked.append(payload.get("id"))
        return real_problem(kind, payload, value)

    monkeypatch.setattr(processor, "item_problem", counted_problem)
    messages = [text_message("wamid.GOOD"), text_message("wamid.BAD", sender="")]
    event = deliver(post_signed, payload_of(messages_change(messages=messages)))
    assert event.status == EventStatus.PARTIALLY_FAILED
    assert event.last_error == "1 item(s) failed: 0.0.m0; 1 item(s) invalid: 0.0.m1"
    WebhookEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.received_at)
    events_drain()
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED and event.attempts == 2
    assert event.results["0.0.m1"]["status"] == ItemStatus.INVALID
    assert calls == ["wamid.GOOD", "wamid.GOOD"]  # the invalid one never reached messaging
    assert checked.count("wamid.BAD") == 1  # recorded invalid once, skipped on the retry, not re-examined


# --- chunked POSTs (Transfer-Encoding: chunked, no Content-Length) ----------------------------------------------


def chunked_environ(body: bytes, headers: dict[str, str]) -> dict:
    """What gunicorn hands the application for a chunked POST: no CONTENT_LENGTH, the chunks already decoded into a
    terminated ``wsgi.input``."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": URL,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
        "HTTP_HOST": "testserver",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }


def test_a_chunked_post_with_a_valid_signature_is_read_by_the_fast_path(fixture_salon, monkeypatch):
    from webhooks.wsgi import WebhookFastPath

    body = fixture_body("inbound_text.body")
    started = {}
    app = WebhookFastPath(app=lambda environ, start_response: pytest.fail("not for Django"))
    monkeypatch.setattr("webhooks.wsgi.close_old_connections", lambda: None)
    environ = chunked_environ(body, {"X-Hub-Signature-256": sign(body=body, secret=SECRET)})
    app(environ, lambda status, headers: started.setdefault("status", status))
    assert started["status"] == "200 OK"
    assert WebhookEvent.objects.get().body_bytes == body


def test_a_chunked_post_with_a_valid_signature_is_read_by_the_django_view(fixture_salon):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    body = fixture_body("inbound_text.body")
    started = {}
    environ = chunked_environ(body, {"X-Hub-Signature-256": sign(body=body, secret=SECRET)})
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: started.setdefault("status", status))
        b"".join(response)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert started["status"] == "200 OK"
    assert WebhookEvent.objects.get().body_bytes == body


def test_a_chunked_post_over_the_size_limit_or_wrongly_signed_is_refused(fixture_salon, settings, monkeypatch):
    from webhooks.wsgi import WebhookFastPath

    monkeypatch.setattr("webhooks.wsgi.close_old_connections", lambda: None)
    app = WebhookFastPath(app=lambda environ, start_response: pytest.fail("not for Django"))
    statuses = []
    big = b"{" + b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b"}"
    app(chunked_environ(big, {"X-Hub-Signature-256": sign(body=big, secret=SECRET)}), lambda s, h: statuses.append(s))
    body = fixture_body("inbound_text.body")
    app(chunked_environ(body, {"X-Hub-Signature-256": sign(body=b"", secret=SECRET)}), lambda s, h: statuses.append(s))
    assert statuses == ["413 Payload Too Large", "403 Forbidden"]
    assert not WebhookEvent.objects.exists()


def test_gunicorn_serves_a_chunked_signed_post_end_to_end(transactional_db, tmp_path):
    """The real server: an HTTP/1.1 POST in chunks (no Content-Length) reaches the fast path whole and is stored."""
    body = fixture_body("inbound_text.body")
    with running_gunicorn(tmp_path, test_database=True, WHATSAPP_APP_SECRETS=SECRET) as base:
        http_connection = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=10)
        # An iterable body with encode_chunked: http.client sends Transfer-Encoding: chunked and no Content-Length.
        chunks = [body[:50], body[50:51], body[51:]]
        http_connection.request(
            "POST",
            URL,
            body=iter(chunks),
            headers={"X-Hub-Signature-256": sign(body=body, secret=SECRET), "Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = http_connection.getresponse()
        assert response.status == 200, response.read()
    assert WebhookEvent.objects.get().body_bytes == body
