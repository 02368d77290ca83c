"""Daily rollups: what each number counts, idempotent re-runs, the salon's local midnight, late status webhooks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from analytics.cache import _version_key
from analytics.models import SalonDailyStats
from analytics.services import local_today, salon_stats_rollup
from analytics.tests.helpers import make_ai_turn, make_booking, make_customer, make_dialog
from bookings.models import BookingStatus
from messaging.inbound import inbound_status_receive
from messaging.models import Direction, MessageStatus, MessageType
from messaging.tests.factories import ConversationFactory, MessageFactory
from salons.tenancy import salon_scope
from salons.tests.factories import SalonFactory

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]

DAY = date(2025, 3, 12)  # a Wednesday; Berlin is UTC+1


def berlin(hour, minute=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def version(salon) -> int:
    return int(cache.get(_version_key(salon.pk)) or 0)


def test_rollup_counts_each_number_on_its_own_time(salon, other_salon):

    make_booking(salon, berlin(10), created_at=berlin(9))  # created today
    make_booking(salon, berlin(11), status=BookingStatus.COMPLETED, price="55.50")
    make_booking(salon, berlin(12), status=BookingStatus.COMPLETED, price="20.00")
    make_booking(salon, berlin(13), status=BookingStatus.NO_SHOW)
    make_booking(salon, berlin(9, day=DAY + timedelta(days=3)), status=BookingStatus.CONFIRMED, confirmed_at=berlin(15))
    make_booking(salon, berlin(9, day=DAY + timedelta(days=4)), status="cancelled", cancelled_at=berlin(16))
    make_booking(other_salon, berlin(11), status=BookingStatus.COMPLETED, created_at=berlin(8))
    make_customer(salon, berlin(8))
    make_customer(salon, berlin(8, day=DAY - timedelta(days=1)))
    make_dialog(salon, berlin(10), reply_after=[30, 60])  # two customer turns, one window
    make_dialog(salon, berlin(14), reply_after=[90])
    MessageFactory(
        salon=salon, type=MessageType.TEMPLATE, created_at=berlin(7), cost=Decimal("0.05"), cost_currency="EUR"
    )
    make_ai_turn(salon, berlin(10), tokens=120, cost="0.0012")
    make_ai_turn(salon, berlin(11), tokens=80, cost="0.0008", handed_off=True)
    make_dialog(other_salon, berlin(10), reply_after=[5])

    salon_stats_rollup(salon=salon, day=DAY)

    stored = SalonDailyStats.all_salons.get(salon=salon, day=DAY)
    assert (
        stored.bookings_created,
        stored.bookings_confirmed,
        stored.bookings_cancelled,
        stored.bookings_completed,
        stored.bookings_no_show,
    ) == (1, 1, 1, 2, 1)
    assert (stored.revenue, stored.revenue_currency) == (Decimal("75.50"), "EUR")
    assert stored.new_customers == 1
    assert (stored.messages_in, stored.messages_out, stored.templates_sent) == (3, 4, 1)
    assert stored.conversations_opened == 2
    assert (stored.first_responses, stored.first_response_median_seconds) == (3, 60.0)
    assert (stored.whatsapp_cost, stored.whatsapp_cost_currency) == (Decimal("0.05"), "EUR")
    assert (stored.ai_messages, stored.ai_tokens, stored.ai_cost) == (2, 200, Decimal("0.002"))
    assert stored.handoffs == 1
    assert stored.is_final  # a past day
    assert not SalonDailyStats.all_salons.filter(salon=other_salon).exists()


def test_rerunning_a_rollup_updates_the_one_row_in_place(salon):
    make_booking(salon, berlin(11), status=BookingStatus.COMPLETED)
    first = salon_stats_rollup(salon=salon, day=DAY)
    salon_stats_rollup(salon=salon, day=DAY)
    assert SalonDailyStats.all_salons.filter(salon=salon).count() == 1
    row = SalonDailyStats.all_salons.get(salon=salon, day=DAY)
    assert (row.bookings_completed, row.revenue) == (first.bookings_completed, first.revenue) == (1, Decimal("40"))

    make_booking(salon, berlin(12), status=BookingStatus.COMPLETED)
    salon_stats_rollup(salon=salon, day=DAY)
    row.refresh_from_db()
    assert SalonDailyStats.all_salons.filter(salon=salon).count() == 1
    assert (row.bookings_completed, row.revenue) == (2, Decimal("80"))


def test_a_booking_at_2330_local_counts_on_the_salons_local_day_not_the_utc_day():
    salon = SalonFactory(timezone="America/New_York")  # UTC-4 in June: 23:30 local is 03:30 UTC the next day
    local_2330 = datetime(2025, 6, 10, 3, 30, tzinfo=UTC)
    make_booking(salon, local_2330, status=BookingStatus.COMPLETED, created_at=local_2330)

    on_local_day = salon_stats_rollup(salon=salon, day=date(2025, 6, 9))
    on_utc_day = salon_stats_rollup(salon=salon, day=date(2025, 6, 10))

    assert (on_local_day.bookings_created, on_local_day.bookings_completed) == (1, 1)
    assert (on_utc_day.bookings_created, on_utc_day.bookings_completed) == (0, 0)


def test_a_dst_day_covers_its_25_hours(salon):
    # Berlin leaves summer time on 2025-10-26: the local day runs 22:00 UTC (25th) to 23:00 UTC (26th).
    make_booking(salon, datetime(2025, 10, 25, 22, 30, tzinfo=UTC), status=BookingStatus.COMPLETED)
    make_booking(salon, datetime(2025, 10, 26, 22, 30, tzinfo=UTC), status=BookingStatus.COMPLETED)
    make_booking(salon, datetime(2025, 10, 26, 23, 0, tzinfo=UTC), status=BookingStatus.COMPLETED)
    assert salon_stats_rollup(salon=salon, day=date(2025, 10, 26)).bookings_completed == 2


def test_a_late_status_webhook_changes_yesterdays_cost_and_bumps_the_stats_version(
    salon, django_capture_on_commit_callbacks
):
    conversation = ConversationFactory(salon=salon, customer__phone="+4915112340001", customer__wa_id="4915112340001")
    sent = MessageFactory(
        salon=salon,
        conversation=conversation,
        direction=Direction.OUTBOUND,
        type=MessageType.TEMPLATE,
        status=MessageStatus.SENT,
        wamid="wamid.LATE0001",
        created_at=berlin(18),
    )
    assert salon_stats_rollup(salon=salon, day=DAY).whatsapp_cost == Decimal("0")
    before = version(salon)

    pricing = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}
    late = {"id": sent.wamid, "status": "delivered", "timestamp": "1741860000", "pricing": pricing}  # the next day
    with django_capture_on_commit_callbacks(execute=True), salon_scope(salon):
        inbound_status_receive(salon=salon, status=late)
    assert version(salon) > before

    with django_capture_on_commit_callbacks(execute=True):
        row = salon_stats_rollup(salon=salon, day=DAY)
    assert (row.whatsapp_cost, row.whatsapp_cost_currency) == (Decimal("0.050600"), "EUR")  # Germany, utility
    assert SalonDailyStats.all_salons.get(salon=salon, day=DAY).whatsapp_cost == Decimal("0.050600")
    assert version(salon) > before + 1  # the rollup invalidates cached answers too


def test_writes_of_bookings_and_messages_bump_only_their_salons_version(
    salon, other_salon, django_capture_on_commit_callbacks
):
    before, other_before = version(salon), version(other_salon)
    with django_capture_on_commit_callbacks(execute=True):
        booking = make_booking(salon, berlin(11))
    assert version(salon) > before
    before = version(salon)
    with django_capture_on_commit_callbacks(execute=True):
        booking.delete()
        MessageFactory(salon=salon)
    assert version(salon) > before
    assert version(other_salon) == other_before


def test_today_is_not_final_and_the_backfill_command_fills_a_range(salon, other_salon):
    make_booking(salon, berlin(11), status=BookingStatus.COMPLETED)
    call_command("stats_backfill", "--from", "2025-03-11", "--to", "2025-03-13", stdout=StringIO())
    assert SalonDailyStats.all_salons.filter(salon=salon).count() == 3
    assert SalonDailyStats.all_salons.filter(salon=other_salon).count() == 3
    assert SalonDailyStats.all_salons.get(salon=salon, day=DAY).bookings_completed == 1

    call_command(
        "stats_backfill",
        "--from",
        "2025-03-12",
        "--to",
        "2025-03-12",
        "--salon",
        salon.slug,
        stdout=StringIO(),
    )
    assert SalonDailyStats.all_salons.count() == 6

    assert not salon_stats_rollup(salon=salon, day=local_today(salon)).is_final
