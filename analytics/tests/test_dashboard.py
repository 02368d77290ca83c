"""The admin index as a dashboard: a staff user sees only their salon's day and numbers; superusers see all salons."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ai_conversations.models import AIConversation
from analytics.services import local_today, salon_stats_rollup
from analytics.tests.helpers import make_booking
from bookings.models import BookingStatus
from bookings.tests.factories import StaffMemberFactory
from salons.models import Role
from salons.tests.factories import CustomerFactory, SalonFactory, UserFactory

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]


def local(salon, day, hour):
    return datetime.combine(day, time(hour), tzinfo=salon.tz)


def fill(salon, tag: str, *, completed: int):
    """Today's and tomorrow's bookings with ``tag`` in every name, past completed bookings, one handoff."""
    today = local_today(salon)
    stylist = StaffMemberFactory(salon=salon, name=f"Stylist {tag}")
    for label, starts_at in (
        ("Today", local(salon, today, 10)),
        ("Tomorrow", local(salon, today, 11) + timedelta(days=1)),
    ):
        customer = CustomerFactory(salon=salon, name=f"{label} {tag}")
        make_booking(salon, starts_at, staff=stylist, customer=customer, created_at=timezone.now())
    for n in range(completed):
        day = today - timedelta(days=n + 2)
        starts_at = local(salon, day, 9)
        make_booking(salon, starts_at, status=BookingStatus.COMPLETED, price="50.00", created_at=starts_at)
        salon_stats_rollup(salon=salon, day=day)
    AIConversation.all_salons.create(
        salon=salon,
        customer=CustomerFactory(salon=salon, name=f"Waiting {tag}"),
        state="handed_off",
        handed_off_at=local(salon, today, 8),
        handoff_reason="asked for a person",
    )


def test_a_staff_member_sees_only_their_salons_day_and_numbers(client, make_member):
    mine, theirs = SalonFactory(name="Salon Mine"), SalonFactory(name="Salon Theirs", currency="USD")
    fill(mine, "Mine", completed=3)
    fill(theirs, "Theirs", completed=7)
    client.force_login(make_member(mine, Role.STAFF))

    page = client.get("/admin/")

    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Salon Mine", "Stylist Mine", "Today Mine", "Tomorrow Mine", "Waiting Mine", "150.00"):
        assert text in html, text
    for text in ("Salon Theirs", "Stylist Theirs", "Today Theirs", "Tomorrow Theirs", "Waiting Theirs", "350.00"):
        assert text not in html, text
    assert '<div class="value">5</div><div class="label">Bookings</div>' in html  # 3 past + today + tomorrow
    dashboard = html[html.index('class="chairside-dashboard"') : html.index('id="content-main"')]
    assert dashboard.count('<svg class="chairside-chart"') == 4
    assert "<script" not in dashboard and "src=" not in dashboard  # server-side SVG, nothing fetched


def test_the_dashboard_query_count_does_not_grow_with_the_salon(client, make_member):
    salon = SalonFactory()
    user = make_member(salon, Role.STAFF)
    client.force_login(user)
    fill(salon, "A", completed=1)
    with CaptureQueriesContext(connection) as small:
        client.get("/admin/")
    for n in range(8):
        fill(salon, f"B{n}", completed=2)
    with CaptureQueriesContext(connection) as large:
        client.get("/admin/")
    assert len(large) <= len(small)


def test_superusers_see_the_all_salons_overview(client):
    first, second = SalonFactory(name="Overview One"), SalonFactory(name="Overview Two")
    fill(first, "One", completed=2)
    fill(second, "Two", completed=4)
    client.force_login(UserFactory(is_superuser=True))

    html = client.get("/admin/").content.decode()

    assert "All salons" in html and "Overview One" in html and "Overview Two" in html
    # 2 + 4 past bookings from the rollups, and today's 2 + 2 computed live: today is not rolled up yet.
    assert '<div class="value">10</div><div class="label">Bookings</div>' in html
    assert "Stylist One" not in html  # the overview is numbers, not another salon's day
