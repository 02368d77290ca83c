"""On a fresh `manage.py demo_data`, the dashboard agrees with the bookings list (issue 12, item 5)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from analytics.dashboard import KPI_DAYS, all_salons_overview, salon_dashboard
from analytics.services import day_bounds, local_today
from bookings.models import Booking, BookingStatus
from salons.models import Salon

pytestmark = pytest.mark.django_db(transaction=True)


def from_the_bookings(salon: Salon) -> dict:
    """What the bookings list says for the dashboard's window: local days today-29 .. today."""
    today = local_today(salon)
    start, _ = day_bounds(salon, today - timedelta(days=KPI_DAYS - 1))
    _, end = day_bounds(salon, today)
    window = Booking.all_salons.filter(salon=salon, starts_at__gte=start, starts_at__lt=end)
    completed = window.filter(status=BookingStatus.COMPLETED)
    no_show = window.filter(status=BookingStatus.NO_SHOW).count()
    return {
        "revenue": completed.aggregate(total=Sum("price"))["total"] or Decimal("0"),
        "completed": completed.count(),
        "no_show": no_show,
    }


@time_machine.travel(datetime(2026, 11, 25, 11, 0, tzinfo=UTC), tick=True)
def test_the_dashboard_agrees_with_the_demo_bookings_on_first_run():
    call_command("demo_data", stdout=io.StringIO())
    aurora = Salon.objects.get(slug="studio-aurora")
    truth = from_the_bookings(aurora)
    assert truth["completed"] > 10  # the demo has weeks of past bookings

    kpis = {label: (value, unit) for label, value, unit in salon_dashboard(aurora)["kpis"]}
    assert Decimal(kpis["Revenue"][0]) == truth["revenue"]
    attended = truth["completed"] + truth["no_show"]
    assert kpis["No-show rate"][0] == f"{truth['no_show'] / attended * 100:.1f} %"

    overview = {row["salon"].pk: row for row in all_salons_overview()["rows"]}
    assert overview[aurora.pk]["revenue"] == truth["revenue"]
    assert overview[aurora.pk]["bookings"] > 0
