"""Retention: rows past each table's period go in batches (with progress), newer and protected rows stay."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ai_conversations.models import AIMessage
from ai_conversations.tests.factories import AIMessageFactory
from bookings.models import BookingEvent
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from dbops.retention import retention_purge
from dbops.tasks import retention_purge_all
from messaging.models import Message, MessageStatus
from messaging.tests.factories import MessageFactory
from salons.tenancy import salon_scope
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _old_and_new_messages(salon, other_salon):
    old = [MessageFactory(salon=s, created_at=NOW - timedelta(days=800)) for s in (salon, salon, salon, other_salon)]
    queued = MessageFactory(salon=salon, created_at=NOW - timedelta(days=800), status=MessageStatus.QUEUED, wamid=None)
    new = MessageFactory(salon=salon, created_at=NOW - timedelta(days=10))
    return old, queued, new


def test_messages_older_than_retention_are_deleted_in_batches_for_every_salon(salon, other_salon, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "messages": 730}
    old, queued, new = _old_and_new_messages(salon, other_salon)
    reply = MessageFactory(salon=salon, conversation=new.conversation, reply_to=old[0])
    seen = []

    result = retention_purge(name="messages", batch_size=2, progress=lambda r: seen.append((r.batches, r.deleted)))

    assert result.deleted == 4
    assert seen == [(1, 2), (2, 4)]
    remaining = set(Message.all_salons.values_list("pk", flat=True))
    assert remaining == {queued.pk, new.pk, reply.pk}  # the unsent outbox row is never purged
    reply.refresh_from_db()
    assert reply.reply_to_id is None


def test_dry_run_counts_and_deletes_nothing(salon, other_salon):
    _old_and_new_messages(salon, other_salon)
    before = Message.all_salons.count()
    assert retention_purge(name="messages", dry_run=True).deleted == 4
    assert Message.all_salons.count() == before


def test_zero_days_keeps_rows_forever(salon, other_salon, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "messages": 0}
    _old_and_new_messages(salon, other_salon)
    before = Message.all_salons.count()
    assert retention_purge(name="messages").deleted == 0
    assert Message.all_salons.count() == before


def test_ai_messages_booking_events_and_webhook_events_follow_their_own_periods(salon, settings):
    settings.RETENTION_DAYS = {"messages": 730, "ai_messages": 365, "booking_events": 730, "webhook_events": 30}
    old_ai = AIMessageFactory(salon=salon, created_at=NOW - timedelta(days=400))
    new_ai = AIMessageFactory(salon=salon, created_at=NOW - timedelta(days=300))
    service = ServiceFactory(salon=salon)
    staff = staff_with_hours(salon, [service], hours=((time(0), time(23, 59)),))
    with salon_scope(salon):
        # 10:00 on the salon's clock two days ahead: inside the hours whatever time of day the suite runs
        day = (NOW + timedelta(days=2)).astimezone(salon.tz).date()
        booking = booking_for(salon, service=service, staff=staff, starts_at=datetime.combine(day, time(10), salon.tz))
        events = list(BookingEvent.objects.filter(booking=booking))
    assert events
    BookingEvent.all_salons.filter(pk=events[0].pk).update(created_at=NOW - timedelta(days=800))
    old_event = WebhookEvent.objects.create(body=b"{}", body_sha256=b"a" * 32, status="processed")
    failed_event = WebhookEvent.objects.create(body=b"{}", body_sha256=b"b" * 32, status="failed")
    new_event = WebhookEvent.objects.create(body=b"{}", body_sha256=b"c" * 32, status="processed")
    WebhookEvent.objects.filter(pk__in=[old_event.pk, failed_event.pk]).update(received_at=NOW - timedelta(days=40))

    assert retention_purge_all() == {"messages": 0, "ai_messages": 1, "booking_events": 1, "webhook_events": 1}

    assert set(AIMessage.all_salons.values_list("pk", flat=True)) == {new_ai.pk}
    assert not AIMessage.all_salons.filter(pk=old_ai.pk).exists()
    assert not BookingEvent.all_salons.filter(pk=events[0].pk).exists()
    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {failed_event.pk, new_event.pk}


def test_purge_command_prints_progress_and_a_summary_per_table(salon, other_salon):
    _old_and_new_messages(salon, other_salon)
    out = io.StringIO()
    call_command("retention_purge", "--table", "messages", "--batch-size", "3", stdout=out)
    text = out.getvalue()
    assert "  messages: batch 1, 3 deleted so far" in text
    assert "  messages: batch 2, 4 deleted so far" in text
    assert "messages: deleted 4 row(s) older than 730 days" in text
    out = io.StringIO()
    before = Message.all_salons.count()
    call_command("retention_purge", "--dry-run", "--days", "5", stdout=out)
    assert "messages: would delete 1 row(s) older than 5 days" in out.getvalue()
    assert Message.all_salons.count() == before  # a dry run deletes nothing
