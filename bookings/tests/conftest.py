"""Fixtures of the bookings tests: a Berlin salon with a service, two stylists and WhatsApp booking templates."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bookings.tests.factories import ServiceFactory, staff_with_hours
from salons.tests.factories import CustomerFactory, SalonFactory

BERLIN = ZoneInfo("Europe/Berlin")
# "Now" for the service tests: Monday 2 March 2026, 07:00 in Berlin.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Berlin wall-clock time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def shop(db):
    return SalonFactory(
        timezone="Europe/Berlin",
        slot_step_minutes=30,
        min_notice_minutes=60,
        booking_horizon_days=30,
        cancellation_notice_hours=24,
        reminder_offsets_minutes=[1440, 120],
    )


@pytest.fixture
def haircut(shop):
    return ServiceFactory(salon=shop, name="Haircut", duration_minutes=60, buffer_after_minutes=15)


@pytest.fixture
def anna(shop, haircut):
    return staff_with_hours(shop, [haircut], name="Anna", hours=[(time(9), time(13)), (time(14), time(18))])


@pytest.fixture
def ben(shop, haircut):
    return staff_with_hours(shop, [haircut], name="Ben", hours=[(time(9), time(18))], weekdays=range(5))


@pytest.fixture
def client_of_shop(shop):
    return CustomerFactory(salon=shop, name="Carla")


BODY = "Hi {{1}}, your {{2}} on {{3}} with {{4}} (code {{5}})."


@pytest.fixture
def booking_templates(shop):
    """Approved booking templates, as installed by the messaging template pack."""
    from messaging.tests.factories import MessageTemplateFactory

    buttons = {
        "type": "BUTTONS",
        "buttons": [{"type": "QUICK_REPLY", "text": t} for t in ("Confirm", "Reschedule", "Cancel")],
    }
    example = {"body_text": [["Ana", "Cut", "Mon 2 Mar 2026, 10:00", "Bo", "ABC234"]]}
    templates = {}
    for name in ("booking_confirmation", "booking_reminder", "booking_rescheduled", "booking_cancelled"):
        components = [{"type": "BODY", "text": BODY, "example": example}]
        if name == "booking_reminder":
            components.append(buttons)
        templates[name] = MessageTemplateFactory(salon=shop, name=name, language="en", components=components)
    return templates
