"""Admin times are the salon's wall clock: change forms show and read it, lists, pages and messages show it, and the
page names the zone once (issue 12, items 2 and 4)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bookings.models import Booking, TimeOff
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN_NOW = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def member_client(salon, role=Role.OWNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory(salon=salon, role=role, user=UserFactory()).user)
    return client


def inputs(html: str) -> dict[str, str]:
    """The form's text inputs and selected options, as the browser would post them back unchanged."""
    data = {}
    for name, value in re.findall(r'<input type="(?:text|hidden)" name="([^"]+)" value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, flags=re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.fixture
def berlin():
    return SalonFactory(name="Studio Berlin", timezone="Europe/Berlin")


@time_machine.travel(BERLIN_NOW, tick=False)
@pytest.mark.parametrize(
    "day",
    ["2026-12-07", "2027-07-07", "2027-03-28", "2027-10-31"],
    ids=["winter", "summer", "spring-forward-day", "fall-back-day"],
)
def test_time_off_saved_unchanged_three_times_keeps_its_berlin_wall_clock(berlin, day):
    starts = datetime.combine(date.fromisoformat(day), time(10), tzinfo=berlin.tz)
    time_off = TimeOffFactory(salon=berlin, starts_at=starts, ends_at=starts + timedelta(hours=2), reason="Dentist")
    client = member_client(berlin)
    url = reverse("admin:bookings_timeoff_change", args=[time_off.pk])

    for _ in range(3):
        html = client.get(url).content.decode()
        data = inputs(html)
        assert data["starts_at_1"] == "10:00:00" and data["ends_at_1"] == "12:00:00"
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

    time_off.refresh_from_db()
    assert time_off.starts_at == starts and time_off.ends_at == starts + timedelta(hours=2)


@time_machine.travel(BERLIN_NOW, tick=False)
def test_typed_times_are_the_salons_wall_clock_even_on_a_page_of_several_zones(berlin):
    SalonFactory(timezone="America/New_York")  # a superuser's pages are not in one zone
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = admin.post(
        reverse("admin:bookings_timeoff_add"),
        {
            "salon": str(berlin.pk),
            "staff": "",
            "starts_at_0": "2026-12-07",
            "starts_at_1": "10:00:00",
            "ends_at_0": "2026-12-07",
            "ends_at_1": "12:00:00",
            "reason": "Team day",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    time_off = TimeOff.all_salons.get(reason="Team day")
    assert time_off.starts_at == datetime(2026, 12, 7, 10, 0, tzinfo=berlin.tz)


@pytest.fixture
def berlin_booking(berlin):
    service = ServiceFactory(salon=berlin, name="Haircut", duration_minutes=45)
    staff = staff_with_hours(berlin, [service], name="Anna", hours=[(time(8), time(20))])
    customer = CustomerFactory(salon=berlin, name="Lena Fischer")
    starts = datetime(2026, 12, 1, 10, 30, tzinfo=berlin.tz)  # 09:30 UTC
    return booking_for(berlin, service=service, staff=staff, customer=customer, starts_at=starts)


@time_machine.travel(BERLIN_NOW, tick=False)
def test_one_booking_has_one_time_on_list_detail_title_message_and_day_view(berlin, berlin_booking):
    client = member_client(berlin)
    change = reverse("admin:bookings_booking_change", args=[berlin_booking.pk])

    listing = client.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert "10:30 a.m." in listing and "9:30 a.m." not in listing
    assert listing.count("Europe/Berlin") == 1

    detail = client.get(change).content.decode()
    assert "10:30 a.m." in detail and "9:30 a.m." not in detail
    assert f"{berlin_booking.code} · 2026-12-01 10:30" in detail and "UTC" not in detail
    assert detail.count("Europe/Berlin") == 1

    data = inputs(detail)
    data.update({"notes": "Prefers Anna", "_continue": "1"})
    for prefix in ("events", "reminders"):
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data.setdefault(f"{prefix}-{key}", "0")
    saved = client.post(change, data, follow=True)
    messages = [str(m) for m in saved.context["messages"]]
    assert any(f"{berlin_booking.code} · 2026-12-01 10:30" in m for m in messages), messages
    assert not any("UTC" in m for m in messages)

    day = client.get(reverse("admin:bookings_booking_day"), {"date": "2026-12-01"}).content.decode()
    assert "10:30–11:15" in day and day.count("Europe/Berlin") == 1


@time_machine.travel(BERLIN_NOW, tick=False)
def test_a_list_of_salons_in_several_zones_shows_each_time_in_its_own_zone(berlin, berlin_booking):
    new_york = SalonFactory(name="NY Nails", timezone="America/New_York")
    service = ServiceFactory(salon=new_york)
    staff = staff_with_hours(new_york, [service], hours=[(time(8), time(20))])
    ny_booking = booking_for(
        new_york, service=service, staff=staff, starts_at=datetime(2026, 12, 1, 10, 30, tzinfo=new_york.tz)
    )
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = admin.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert "2026-12-01 10:30 CET" in listing and "2026-12-01 10:30 EST" in listing
    assert "each salon's own time zone" in listing
    assert Booking.all_salons.filter(pk__in=[berlin_booking.pk, ny_booking.pk]).count() == 2


@time_machine.travel(BERLIN_NOW, tick=False)
def test_a_member_of_salons_in_two_zones_sees_each_dashboard_on_its_own_clock(berlin):
    from ai_conversations.models import AIConversation, ConversationState

    new_york = SalonFactory(name="NY Nails", timezone="America/New_York")
    user = UserFactory()
    for salon in (berlin, new_york):
        MembershipFactory(salon=salon, user=user, role=Role.STAFF)
        AIConversation.all_salons.create(
            salon=salon,
            customer=CustomerFactory(salon=salon, name=f"Waiting at {salon.name}"),
            state=ConversationState.HANDED_OFF,
            handed_off_at=datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("UTC")),
            handoff_reason="asked for a person",
        )
    client = Client()
    client.force_login(user)
    html = client.get(reverse("admin:index")).content.decode()
    berlin_board = html[html.index(f'id="salon-dashboard-{berlin.pk}"') :]
    new_york_board = html[html.index(f'id="salon-dashboard-{new_york.pk}"') :]
    assert "Mon 09:00" in berlin_board.split("chairside-dashboard")[0]
    assert "Mon 03:00" in new_york_board.split("chairside-dashboard")[0]
    assert "each salon's own time zone" in html


@time_machine.travel(BERLIN_NOW, tick=False)
def test_a_customers_consent_and_opt_out_times_survive_an_unchanged_save(berlin):
    consent = datetime(2026, 11, 2, 18, 15, tzinfo=berlin.tz)
    customer = CustomerFactory(salon=berlin, marketing_consent_at=consent, opted_out_at=consent + timedelta(days=3))
    client = member_client(berlin)
    url = reverse("admin:salons_customer_change", args=[customer.pk])
    for _ in range(2):
        data = inputs(client.get(url).content.decode())
        assert data["marketing_consent_at_1"] == "18:15:00"
        assert client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert (customer.marketing_consent_at, customer.opted_out_at) == (consent, consent + timedelta(days=3))
