"""Sending through the fake Graph API: success, each error class, the channel flag, throughput and the sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import outbound
from messaging.models import Message, MessageStatus
from messaging.outbound import message_claim, unfinished_messages
from messaging.services import message_send_text
from messaging.tasks import message_send, outbound_sweep
from messaging.whatsapp.client import salon_token
from messaging.whatsapp.errors import explain
from salons.models import ChannelStatus
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


def queue_text(salon, customer, text="Your haircut is at 15:00") -> Message:
    with salon_scope(salon):
        return message_send_text(salon=salon, customer=customer, text=text)


def test_text_is_sent_with_the_salons_token_and_the_wamid_is_stored(salon, customer, graph, deliver):
    message = queue_text(salon, customer)
    assert deliver(message).state == "sent"
    [sent] = graph.sent
    assert message.status == MessageStatus.SENT and message.wamid == sent.wamid
    assert message.attempts == 1 and message.lease_expires_at is None and message.sent_at is not None
    assert sent.phone_number_id == salon.phone_number_id
    assert sent.token == salon_token(salon)
    assert sent.payload["to"] == customer.wa_id and sent.payload["text"]["body"] == "Your haircut is at 15:00"


@pytest.mark.parametrize("code", [1, 2, 131000, 131016, 4, 80007, 130429, 131056])
def test_transient_and_throttling_errors_are_retried_then_sent(salon, customer, graph, deliver, code):
    graph.fail_next(code)
    message = queue_text(salon, customer)
    outcome = deliver(message)
    assert outcome.state == "retry" and outcome.retry_in > 0
    assert message.status == MessageStatus.QUEUED and message.next_attempt_at > timezone.now()
    assert message.error_code == code and message.error_explanation
    assert deliver(message).state == "sent"
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert len(graph.sent) == 1


def test_pair_rate_limit_backs_off_four_to_the_power_of_the_attempt(salon, customer, graph, deliver):
    graph.fail_next(131056, 2)
    message = queue_text(salon, customer)
    first = deliver(message).retry_in
    second = deliver(message).retry_in
    assert 4 * 0.75 <= first <= 4 * 1.25
    assert 16 * 0.75 <= second <= 16 * 1.25


def test_5xx_without_envelope_and_timeouts_are_retried(salon, customer, graph, deliver, settings):
    settings.WHATSAPP_HTTP_TIMEOUT_SECONDS = 0.3
    graph.httpd.timeout_seconds = 1.0
    graph.server_error_next(1, status=502)
    graph.timeout_next(1)
    message = queue_text(salon, customer)
    assert deliver(message).state == "retry"
    assert deliver(message).state == "retry"
    assert message.error_title == "Timeout"
    assert deliver(message).state == "sent"
    assert len(graph.sent) == 1


@pytest.mark.parametrize("code", [131047, 131026, 131050, 132000, 132001, 132015, 100, 131008, 131009, 10, 368, 131031])
def test_permanent_errors_fail_the_row_with_a_plain_explanation(salon, customer, graph, deliver, code):
    graph.fail_next(code)
    message = queue_text(salon, customer)
    assert deliver(message).state == "failed"
    assert message.status == MessageStatus.FAILED and message.failed_at is not None
    assert message.error_code == code
    assert message.error_explanation == explain(code)
    assert message.error_title
    assert graph.sent == []
    salon.refresh_from_db()
    assert salon.channel_status == ChannelStatus.ACTIVE


def test_the_explanation_is_written_in_the_salons_language_for_its_staff(salon, customer, graph, deliver):
    salon.language = "de"
    salon.save(update_fields=["language"])
    graph.fail_next(131026)
    message = queue_text(salon, customer)
    assert deliver(message).state == "failed"
    assert message.error_explanation.startswith("WhatsApp konnte diese Nachricht nicht zustellen")
    assert message.error_explanation == explain(131026, "de") != explain(131026, "en")


def test_invalid_token_fails_and_flags_the_channel_then_nothing_more_is_sent(salon, customer, graph, deliver):
    graph.register(phone_number_id=salon.phone_number_id, token="a-rotated-token", waba_id=salon.waba_id)
    first = queue_text(salon, customer)
    assert deliver(first).state == "failed"
    assert first.error_code == 190 and "access token" in first.error_explanation
    salon.refresh_from_db()
    assert salon.channel_status == ChannelStatus.NEEDS_CREDENTIALS
    requests_before = len(graph.requests)
    second = queue_text(salon, customer)
    assert deliver(second).state == "failed"
    assert second.error_explanation == first.error_explanation
    assert len(graph.requests) == requests_before


def test_gives_up_after_the_maximum_attempts(salon, customer, graph, deliver):
    graph.fail_next(131000, outbound.MAX_ATTEMPTS)
    message = queue_text(salon, customer)
    states = [deliver(message).state for _ in range(outbound.MAX_ATTEMPTS)]
    assert states == ["retry"] * (outbound.MAX_ATTEMPTS - 1) + ["failed"]
    assert message.status == MessageStatus.FAILED and "Gave up after" in message.error_explanation


def test_throughput_limit_holds_sends_back_instead_of_letting_meta_reject(salon, customer, graph, deliver, settings):
    settings.WHATSAPP_SEND_RATE_PER_SECOND = 1
    first, second = queue_text(salon, customer), queue_text(salon, customer)
    assert deliver(first).state == "sent"
    held = deliver(second)
    assert held.state == "throttled" and held.retry_in > 0
    assert second.status == MessageStatus.QUEUED and second.attempts == 0
    assert len(graph.sent) == 1


def test_worker_killed_after_claiming_is_finished_by_the_sweeper_exactly_once(
    salon, customer, graph, deliver, monkeypatch
):
    message = queue_text(salon, customer)
    with salon_scope(salon):
        assert message_claim(salon=salon, message_id=message.pk) is not None  # ...and the worker dies here
        assert message_claim(salon=salon, message_id=message.pk) is None  # the lease protects it meanwhile
    assert unfinished_messages() == []
    Message.all_salons.filter(pk=message.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    enqueued = []
    monkeypatch.setattr(message_send, "apply_async", lambda kwargs, **options: enqueued.append(kwargs))
    assert outbound_sweep() == 1
    assert enqueued == [{"message_id": message.pk, "salon_id": str(salon.pk)}]
    assert deliver(message, due=False).state == "sent"
    assert deliver(message, due=False).state == "skipped"  # a duplicate task finds nothing to do
    assert len(graph.sent) == 1
    assert message.attempts == 2 and message.status == MessageStatus.SENT


def test_sweeper_picks_up_queued_rows_never_enqueued_but_not_scheduled_retries(salon, customer, graph, monkeypatch):
    lost = queue_text(salon, customer)
    retrying = queue_text(salon, customer)
    old = timezone.now() - timedelta(minutes=5)
    Message.all_salons.filter(pk=lost.pk).update(next_attempt_at=old, created_at=old)
    Message.all_salons.filter(pk=retrying.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=30))
    assert unfinished_messages() == [(lost.pk, str(salon.pk))]


def test_message_send_task_reschedules_itself_on_retry(salon, customer, graph, monkeypatch):
    graph.fail_next(131000)
    message = queue_text(salon, customer)
    scheduled = []
    monkeypatch.setattr(message_send, "apply_async", lambda kwargs, countdown=None: scheduled.append(countdown))
    assert message_send(message_id=message.pk, salon_id=str(salon.pk)) == "retry"
    assert len(scheduled) == 1 and scheduled[0] > 0


@pytest.mark.django_db(transaction=True)
def test_claims_of_two_messages_to_the_same_customer_do_not_block_each_other(salon, customer):
    import threading

    from django.db import connection, transaction

    first, second = queue_text(salon, customer), queue_text(salon, customer)
    locked, release = threading.Event(), threading.Event()

    def hold_first_claim():
        try:
            with salon_scope(salon), transaction.atomic():
                Message.objects.select_for_update(of=("self",)).filter(pk=first.pk).select_related("customer").get()
                # Like a claim in progress: the customer row must not be locked with it.
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first_claim)
    holder.start()
    try:
        assert locked.wait(10)
        with salon_scope(salon):
            assert message_claim(salon=salon, message_id=second.pk) is not None
            assert message_claim(salon=salon, message_id=first.pk) is None  # really held by the other transaction
    finally:
        release.set()
        holder.join()
