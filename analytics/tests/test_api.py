"""The stats API: totals and series from rollups plus today's live slice, the cache and its invalidation, 400s."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import SalonDailyStats
from analytics.services import local_today, salon_stats_rollup
from analytics.tests.helpers import make_booking
from bookings.models import BookingStatus
from salons.tests.factories import SalonFactory

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]


def url(salon, **query):
    return reverse("salon-stats", kwargs={"salon_id": salon.pk}), query


def get(client, salon, **query):
    path, params = url(salon, **query)
    return client.get(path, params)


def local_noon(salon, day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=salon.tz)


def test_series_by_day_week_and_month_add_up_stored_days_and_today_live(salon, owner_client):
    today = local_today(salon)
    for offset in (1, 2, 9):
        day = today - timedelta(days=offset)
        make_booking(salon, local_noon(salon, day), status=BookingStatus.COMPLETED, price="30.00")
        salon_stats_rollup(salon=salon, day=day)
    make_booking(salon, local_noon(salon, today) - timedelta(hours=3), status=BookingStatus.COMPLETED, price="12.50")
    make_booking(salon, local_noon(salon, today) + timedelta(hours=2), status=BookingStatus.NO_SHOW)

    answer = get(owner_client, salon, **{"from": (today - timedelta(days=13)).isoformat(), "to": today.isoformat()})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["salon_id"] == str(salon.pk) and body["live_through"]
    assert body["totals"]["bookings_completed"] == 4 and body["totals"]["bookings_no_show"] == 1
    assert body["totals"]["revenue"] == "102.50" and body["totals"]["revenue_currency"] == "EUR"
    assert body["totals"]["no_show_rate"] == 0.2
    assert len(body["series"]) == 14
    assert body["series"][-1]["bookings_completed"] == 1 and body["series"][-1]["revenue"] == "12.50"
    assert not SalonDailyStats.all_salons.filter(day=today).exists()  # today is computed, not stored

    weeks = get(owner_client, salon, **{"from": (today - timedelta(days=13)).isoformat(), "granularity": "week"})
    assert sum(period["bookings_completed"] for period in weeks.json()["series"]) == 4
    assert weeks.json()["series"][0]["from"] == (today - timedelta(days=13)).isoformat()  # clipped to the range
    assert all(date.fromisoformat(p["period"]).weekday() == 0 for p in weeks.json()["series"])

    months = get(owner_client, salon, granularity="month", **{"from": (today - timedelta(days=40)).isoformat()})
    assert [date.fromisoformat(p["period"]).day for p in months.json()["series"]] == [1] * len(months.json()["series"])
    assert months.json()["totals"]["bookings_completed"] == 4


def test_past_ranges_have_no_live_slice(salon, owner_client):
    body = get(owner_client, salon, **{"from": "2025-01-01", "to": "2025-01-31"}).json()
    assert body["live_through"] is None and body["totals"]["bookings_created"] == 0 and len(body["series"]) == 31


def test_the_answer_is_cached_until_a_booking_changes(salon, owner_client, django_capture_on_commit_callbacks):
    today = local_today(salon)
    assert get(owner_client, salon).json()["totals"]["bookings_created"] == 0
    with CaptureQueriesContext(connection) as cached:
        assert get(owner_client, salon).json()["totals"]["bookings_created"] == 0
    assert not [q for q in cached.captured_queries if "bookings_booking" in q["sql"]]

    with django_capture_on_commit_callbacks(execute=True):
        make_booking(salon, local_noon(salon, today + timedelta(days=2)), created_at=timezone.now())
    assert get(owner_client, salon).json()["totals"]["bookings_created"] == 1


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2025-13-01"},
        {"to": "yesterday"},
        {"granularity": "year"},
        {"from": "2025-03-02", "to": "2025-03-01"},
        {"from": "2020-01-01", "to": "2025-01-01"},
    ],
)
def test_bad_dates_or_granularity_are_400_with_the_field(salon, owner_client, query):
    answer = get(owner_client, salon, **query)
    assert answer.status_code == 400
    assert set(answer.json()) & {"from", "to", "granularity", "errors", "detail", "fields"}


def test_another_salons_stats_are_404(salon, owner_client):
    assert get(owner_client, SalonFactory()).status_code == 404
