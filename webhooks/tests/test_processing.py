"""Processing: routing by number and WABA, idempotency across redeliveries, reordered statuses, one bad item in a
batch, retries with backoff and the final failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from messaging.models import Direction, Message, MessageStatus, MessageTemplate, MessageType
from messaging.tests.factories import MessageFactory
from salons.models import Customer
from salons.tests.factories import SalonFactory
from webhooks.models import EventStatus, ItemStatus, WebhookEvent
from webhooks.relay import events_drain
from webhooks.tests.payloads import (
    PHONE_NUMBER_ID,
    body_of,
    fixture_body,
    messages_change,
    payload_of,
    status_update,
    text_message,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def replies(monkeypatch):
    """The assistant's entry point, recorded (the assistant itself is tested in ai_conversations)."""
    calls = []
    monkeypatch.setattr(
        "ai_conversations.services.assistant_enqueue_reply",
        lambda *, salon, message: calls.append((salon.pk, message.wamid)),
    )
    return calls


def deliver(post_signed, *bodies: bytes) -> None:
    for body in bodies:
        assert post_signed(body).status_code == 200
    events_drain(batch_size=50)


def make_due(event: WebhookEvent) -> None:
    WebhookEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_inbound_text_becomes_one_message_in_the_salon_and_asks_for_a_reply(post_signed, fixture_salon, replies):
    deliver(post_signed, fixture_body("inbound_text.body"))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.PROCESSED
    assert event.processed_at is not None and event.next_attempt_at is None
    assert event.salon_ids == [fixture_salon.pk]
    assert event.results == {
        "0.0.m0": {
            "kind": "message",
            "ref": "wamid.PUB0001",
            "salon": str(fixture_salon.pk),
            "status": "processed",
            "note": "created",
        }
    }
    message = Message.all_salons.get(wamid="wamid.PUB0001")
    assert message.salon_id == fixture_salon.pk
    assert message.direction == Direction.INBOUND
    assert message.customer.wa_id == "16505551234"
    assert replies == [(fixture_salon.pk, "wamid.PUB0001")]


def test_non_ascii_body_keeps_the_customers_name_and_text(post_signed, fixture_salon, replies):
    deliver(post_signed, fixture_body("inbound_text_non_ascii.body"))
    message = Message.all_salons.get(wamid="wamid.PUB0002")
    assert message.customer.name == "João Müller"
    assert message.preview == "Olá! Quero marcar corte amanhã às 15h 💇"


def test_same_body_delivered_three_times_gives_one_event_and_one_message(post_signed, fixture_salon, replies):
    body = fixture_body("inbound_text.body")
    deliver(post_signed, body, body, body)
    assert WebhookEvent.objects.count() == 1
    assert Message.all_salons.filter(wamid="wamid.PUB0001").count() == 1
    assert len(replies) == 1


def test_same_message_in_another_batch_is_not_stored_or_answered_twice(post_signed, fixture_salon, replies):
    alone = body_of(payload_of(messages_change(messages=[text_message("wamid.X1")])))
    batched = body_of(payload_of(messages_change(messages=[text_message("wamid.X1"), text_message("wamid.X2")])))
    deliver(post_signed, alone, batched)
    assert sorted(Message.all_salons.values_list("wamid", flat=True)) == ["wamid.X1", "wamid.X2"]
    assert sorted(w for _, w in replies) == ["wamid.X1", "wamid.X2"]
    second = WebhookEvent.objects.order_by("pk").last()
    assert second.results["0.0.m0"]["note"] == "duplicate"


def test_statuses_reordered_and_duplicated_end_in_the_right_final_status(post_signed, fixture_salon):
    outbound = MessageFactory(salon=fixture_salon, wamid="wamid.OUT0001", status=MessageStatus.SENDING)
    read = status_update("wamid.OUT0001", "read", 1763730050)
    sent = status_update("wamid.OUT0001", "sent", 1763730010)
    delivered = status_update("wamid.OUT0001", "delivered", 1763730011)
    deliver(
        post_signed,
        body_of(payload_of(messages_change(statuses=[read, delivered]))),
        body_of(payload_of(messages_change(statuses=[sent]))),
        body_of(payload_of(messages_change(statuses=[delivered, sent, delivered]))),
        fixture_body("statuses_sent_delivered_read.body"),
    )
    assert Message.all_salons.filter(wamid="wamid.OUT0001").count() == 1
    outbound.refresh_from_db()
    assert outbound.status == MessageStatus.READ
    assert outbound.read_at is not None and outbound.delivered_at is not None and outbound.sent_at is not None
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}


def test_failed_status_records_the_error(post_signed, fixture_salon):
    outbound = MessageFactory(salon=fixture_salon, wamid="wamid.OUT0002", status=MessageStatus.SENT)
    deliver(post_signed, fixture_body("status_failed_131047.body"))
    outbound.refresh_from_db()
    assert outbound.status == MessageStatus.FAILED
    assert outbound.error_code == 131047


def test_button_reply_is_stored_with_its_context(post_signed, fixture_salon, replies):
    MessageFactory(salon=fixture_salon, wamid="wamid.OUT0001")
    deliver(post_signed, fixture_body("inbound_button_reply.body"))
    message = Message.all_salons.get(wamid="wamid.PUB0003")
    assert message.type == MessageType.INTERACTIVE
    assert message.reply_to.wamid == "wamid.OUT0001"


def test_template_event_is_routed_by_waba_id(post_signed, fixture_salon):
    deliver(post_signed, fixture_body("template_status_approved.body"))
    template = MessageTemplate.all_salons.get(name="appointment_reminder")
    assert template.salon_id == fixture_salon.pk
    assert template.status == "APPROVED"
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED


def test_template_event_applies_to_every_salon_sharing_the_waba(post_signed, fixture_salon):
    sibling = SalonFactory(waba_id=fixture_salon.waba_id)
    deliver(post_signed, fixture_body("template_status_approved.body"))
    salons = set(MessageTemplate.all_salons.filter(name="appointment_reminder").values_list("salon_id", flat=True))
    assert salons == {fixture_salon.pk, sibling.pk}


def test_batch_with_several_entries_and_numbers_routes_each_item_to_its_salon(post_signed, fixture_salon, replies):
    other = SalonFactory()
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": fixture_salon.waba_id,
                "changes": [
                    messages_change(messages=[text_message("wamid.A1", sender="4915111111111")]),
                    messages_change(phone_number_id="999", messages=[text_message("wamid.NOBODY")]),
                ],
            },
            {
                "id": other.waba_id,
                "changes": [
                    messages_change(
                        phone_number_id=other.phone_number_id,
                        messages=[text_message("wamid.B1", sender="4915122222222"), text_message("wamid.B2")],
                    )
                ],
            },
        ],
    }
    deliver(post_signed, body_of(payload))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.PROCESSED
    assert set(event.salon_ids) == {fixture_salon.pk, other.pk}
    assert {k: v["status"] for k, v in event.results.items()} == {
        "0.0.m0": "processed",
        "0.1.m0": "ignored",
        "1.0.m0": "processed",
        "1.0.m1": "processed",
    }
    assert dict(Message.all_salons.values_list("wamid", "salon_id")) == {
        "wamid.A1": fixture_salon.pk,
        "wamid.B1": other.pk,
        "wamid.B2": other.pk,
    }
    assert Customer.all_salons.get(wa_id="4915122222222").salon_id == other.pk
    assert sorted(w for _, w in replies) == ["wamid.A1", "wamid.B1", "wamid.B2"]


def test_unknown_number_is_ignored_with_the_reason(post_signed, db):
    deliver(post_signed, fixture_body("inbound_text.body"))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert event.results["0.0.m0"]["reason"] == f"unknown or inactive phone_number_id '{PHONE_NUMBER_ID}'"
    assert not Message.all_salons.exists()


def test_inactive_salon_is_ignored_like_an_unknown_number(post_signed, fixture_salon):
    fixture_salon.is_active = False
    fixture_salon.save()
    deliver(post_signed, fixture_body("inbound_text.body"))
    assert WebhookEvent.objects.get().status == EventStatus.IGNORED


def test_independent_test_vector_is_accepted_and_ignored_for_its_unknown_number(post_signed, fixture_salon):
    from webhooks.tests.conftest import VECTOR_SECRET

    assert post_signed(fixture_body("signed_text_message.body"), secret=VECTOR_SECRET).status_code == 200
    events_drain()
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "277321005464405" in event.results["0.0.m0"]["reason"]


def test_unsupported_message_type_is_stored_as_unsupported(post_signed, fixture_salon, replies):
    unsupported = {
        "from": "16505551234",
        "id": "wamid.UNSUP",
        "timestamp": "1763730000",
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown"}],
    }
    deliver(post_signed, body_of(payload_of(messages_change(messages=[unsupported]))))
    assert Message.all_salons.get(wamid="wamid.UNSUP").type == MessageType.UNSUPPORTED
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSED


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"object": "page", "entry": []}, "object is 'page', not whatsapp_business_account"),
        ({"object": "whatsapp_business_account", "entry": []}, "no entries"),
    ],
)
def test_payloads_that_are_not_whatsapp_updates_are_ignored(post_signed, db, payload, reason):
    deliver(post_signed, body_of(payload))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert event.results["event"]["reason"] == reason


def test_unsupported_field_is_ignored_with_the_reason(post_signed, fixture_salon):
    change = {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}
    deliver(post_signed, body_of(payload_of(change)))
    assert WebhookEvent.objects.get().results["0.0"]["reason"] == "unsupported field 'account_update'"


def test_error_in_one_item_keeps_the_others_and_the_event_is_retried(post_signed, fixture_salon, replies, monkeypatch):
    from messaging import inbound

    real = inbound.inbound_message_receive

    def flaky(*, salon, value, message):
        if message["id"] == "wamid.BAD":
            raise RuntimeError("database hiccup")
        return real(salon=salon, value=value, message=message)

    monkeypatch.setattr(inbound, "inbound_message_receive", flaky)
    messages = [text_message("wamid.OK1"), text_message("wamid.BAD"), "not-a-message", text_message("wamid.OK2")]
    deliver(post_signed, body_of(payload_of(messages_change(messages=messages))))

    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.PARTIALLY_FAILED
    assert event.attempts == 1
    assert event.next_attempt_at > timezone.now()  # backoff
    assert {k: v["status"] for k, v in event.results.items()} == {
        "0.0.m0": ItemStatus.PROCESSED,
        "0.0.m1": ItemStatus.FAILED,
        "0.0.m2": ItemStatus.INVALID,  # a string is never a message: not retried
        "0.0.m3": ItemStatus.PROCESSED,
    }
    assert event.results["0.0.m1"]["error"] == "RuntimeError: database hiccup"
    assert event.last_error == "1 item(s) failed: 0.0.m1; 1 item(s) invalid: 0.0.m2"
    assert sorted(Message.all_salons.values_list("wamid", flat=True)) == ["wamid.OK1", "wamid.OK2"]

    # The hiccup passes; the retry runs only what failed.
    monkeypatch.setattr(inbound, "inbound_message_receive", real)
    make_due(event)
    events_drain()
    event.refresh_from_db()
    assert event.attempts == 2
    assert event.results["0.0.m1"]["status"] == ItemStatus.PROCESSED
    assert event.results["0.0.m2"]["status"] == ItemStatus.INVALID
    assert sorted(Message.all_salons.values_list("wamid", flat=True)) == ["wamid.BAD", "wamid.OK1", "wamid.OK2"]
    assert sorted(w for _, w in replies) == ["wamid.BAD", "wamid.OK1", "wamid.OK2"]


def test_event_failing_on_every_attempt_is_marked_failed_and_counted(post_signed, fixture_salon, settings, monkeypatch):
    from messaging import inbound

    settings.WEBHOOKS_MAX_ATTEMPTS = 3

    def broken(**kwargs):
        raise RuntimeError("always")

    monkeypatch.setattr(inbound, "inbound_message_receive", broken)
    before = REGISTRY.get_sample_value("chairside_webhook_events_failed_total") or 0
    deliver(post_signed, fixture_body("inbound_text.body"))
    event = WebhookEvent.objects.get()
    delays = []
    for _ in range(2):
        assert event.status == EventStatus.FAILED and event.next_attempt_at is not None
        delays.append(event.next_attempt_at)
        make_due(event)
        events_drain()
        event.refresh_from_db()
    assert event.attempts == 3
    assert event.status == EventStatus.FAILED
    assert event.next_attempt_at is None and event.processed_at is not None
    assert event.last_error == "1 item(s) failed: 0.0.m0"
    assert REGISTRY.get_sample_value("chairside_webhook_events_failed_total") == before + 1
    events_drain()
    event.refresh_from_db()
    assert event.attempts == 3  # not due any more


def test_backoff_doubles_and_is_capped():
    from webhooks.processor import retry_delay

    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(30).total_seconds() == 3600


def test_opt_out_keyword_is_handled_by_messaging_and_gets_no_assistant_reply(post_signed, fixture_salon, replies):
    deliver(post_signed, body_of(payload_of(messages_change(messages=[text_message("wamid.STOP", text="STOP")]))))
    assert WebhookEvent.objects.get().results["0.0.m0"]["note"] == "keyword stop"
    assert Customer.all_salons.get(wa_id="16505551234").opted_out_at is not None
    assert replies == []


def test_new_inbound_message_enqueues_the_assistant_reply_after_commit(
    post_signed, fixture_salon, django_capture_on_commit_callbacks, monkeypatch
):
    from celery.app.task import Task

    published = []
    monkeypatch.setattr(
        Task, "apply_async", lambda task, args=None, kwargs=None, **o: published.append((task.name, kwargs))
    )
    assert post_signed(fixture_body("inbound_text.body")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        events_drain()
    message = Message.all_salons.get(wamid="wamid.PUB0001")
    replies = [kwargs for name, kwargs in published if name.endswith("assistant_reply")]
    assert replies == [{"salon_id": str(fixture_salon.pk), "message_id": str(message.pk)}]


def test_failure_outside_any_item_rolls_the_whole_attempt_back_and_retries(post_signed, fixture_salon, monkeypatch):
    from webhooks import processor

    real_walk = processor.walk

    def walk_then_crash(payload, resolver):
        yield from real_walk(payload, resolver)
        raise KeyError("walker bug")

    monkeypatch.setattr(processor, "walk", walk_then_crash)
    deliver(post_signed, fixture_body("inbound_text.body"))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.FAILED
    assert event.last_error == "KeyError: 'walker bug'"
    assert event.next_attempt_at is not None  # retried
    assert not Message.all_salons.exists()  # the item it had processed was rolled back with the attempt

    monkeypatch.setattr(processor, "walk", real_walk)
    make_due(event)
    events_drain()
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert Message.all_salons.filter(wamid="wamid.PUB0001").count() == 1


def test_status_arriving_before_its_message_is_stored_is_applied_on_a_retry(post_signed, fixture_salon, settings):
    settings.WEBHOOKS_UNKNOWN_STATUS_ATTEMPTS = 3
    deliver(
        post_signed, body_of(payload_of(messages_change(statuses=[status_update("wamid.LATE1", "sent", 1763730010)])))
    )
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.FAILED and event.next_attempt_at is not None  # retried shortly, not dropped
    # Meanwhile the sending worker stores the wamid Meta gave it.
    outbound = MessageFactory(salon=fixture_salon, wamid="wamid.LATE1", status=MessageStatus.SENDING)
    make_due(event)
    events_drain(batch_size=50)
    event.refresh_from_db()
    outbound.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert outbound.status == MessageStatus.SENT


def test_status_for_a_message_we_never_sent_is_let_go_after_the_retries(post_signed, fixture_salon, settings):
    settings.WEBHOOKS_UNKNOWN_STATUS_ATTEMPTS = 2
    deliver(
        post_signed, body_of(payload_of(messages_change(statuses=[status_update("wamid.NEVER", "read", 1763730010)])))
    )
    event = WebhookEvent.objects.get()
    make_due(event)
    events_drain(batch_size=50)
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert next(iter(event.results.values()))["note"] == "unknown wamid"


@pytest.mark.django_db(transaction=True)
def test_a_batch_publishes_its_replies_and_stats_bumps_once_after_the_events_committed(post_signed, monkeypatch):
    from celery.app.task import Task

    from analytics import cache as stats_cache

    salon = SalonFactory(phone_number_id=PHONE_NUMBER_ID)
    published, bumps = [], []

    def publish(task, args=None, kwargs=None, **options):
        # Published after the events committed: another connection already sees every message it names.
        ids = kwargs.get("message_ids") or [kwargs["message_id"]]
        assert Message.all_salons.filter(pk__in=ids).count() == len(ids)
        published.append((task.name, kwargs))

    monkeypatch.setattr(Task, "apply_async", publish)
    monkeypatch.setattr(stats_cache._stats_versions_bump, "_flush", bumps.append)
    for n in range(12):
        message = text_message(f"wamid.BATCH{n:02d}", sender=f"4917{n:08d}")
        body = body_of(payload_of(messages_change(messages=[message])))
        assert post_signed(body).status_code == 200

    assert events_drain(batch_size=50) == 12

    inbound = [str(pk) for pk in Message.all_salons.order_by("pk").values_list("pk", flat=True)]
    assert len(inbound) == 12
    # One task per 10 messages of a salon, in arrival order, instead of 12 publishes.
    assert published == [
        ("ai_conversations.tasks.assistant_reply", {"salon_id": str(salon.pk), "message_ids": inbound[:10]}),
        ("ai_conversations.tasks.assistant_reply", {"salon_id": str(salon.pk), "message_ids": inbound[10:]}),
    ]
    # One flush of the stats versions for the whole batch (Message and Customer saves), not one INCR per row.
    assert len(bumps) == 1 and set(bumps[0]) == {salon.pk}
