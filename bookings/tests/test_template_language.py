"""Booking templates speak the customer's language and write the date the way that language does (Babel): the
customer's language, else their phone number's country's when the salon has the template in it, else the salon's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bookings.notifications import send_reminder
from bookings.services import booking_create
from bookings.tests.conftest import NOW
from messaging.models import Message
from messaging.services import template_install_pack
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 15:30 in Berlin.
STARTS_AT = datetime(2026, 12, 7, 14, 30, tzinfo=UTC)


@pytest.fixture
def german_shop(shop):
    shop.language = "de"
    shop.booking_horizon_days = 400
    shop.save(update_fields=["language", "booking_horizon_days"])
    return shop


def reminder_for(shop, haircut, anna, customer) -> Message:
    with salon_scope(shop):
        booking = booking_create(
            salon=shop, customer=customer, service=haircut, staff=anna, starts_at=STARTS_AT, source="admin", now=NOW
        )
        return send_reminder(booking=booking)


def install(shop, languages):
    with salon_scope(shop):
        template_install_pack(salon=shop, languages=languages, approve_locally=True)


def test_a_german_customer_reads_a_german_date_in_the_german_template(german_shop, haircut, anna):
    install(german_shop, ("en", "de"))
    customer = CustomerFactory(salon=german_shop, phone="+4915112340000", name="Jana", language="")
    message = reminder_for(german_shop, haircut, anna, customer)
    assert message.template.language == "de"
    # Not "am Mon 7 Dec 2026": weekday, day and month in German, and the salon's zone named as Germans name it.
    assert "ist am Mo., 7. Dez. 2026, 15:30 MEZ bei Anna" in message.preview


def test_a_portuguese_number_without_a_language_gets_the_portuguese_template_and_date(german_shop, haircut, anna):
    install(german_shop, ("en", "de", "pt"))
    customer = CustomerFactory(salon=german_shop, phone="+351912345678", name="Rita", language="")
    message = reminder_for(german_shop, haircut, anna, customer)
    assert message.template.language == "pt"
    assert "seu horário de Haircut é em segunda, 7/12/2026, 15:30 CET com Anna" in message.preview  # pt_PT
    assert message.body["template"]["language"]["code"] == "pt"


def test_the_phone_country_counts_only_when_the_salon_has_the_template_in_that_language(german_shop, haircut, anna):
    install(german_shop, ("en", "de"))
    customer = CustomerFactory(salon=german_shop, phone="+351912345678", name="Rita", language="")
    message = reminder_for(german_shop, haircut, anna, customer)
    assert message.template.language == "de"  # the salon's
    assert "Mo., 7. Dez. 2026, 15:30" in message.preview


def test_the_customers_own_language_wins_over_the_phone_country(german_shop, haircut, anna):
    install(german_shop, ("en", "de", "pt", "es"))
    customer = CustomerFactory(salon=german_shop, phone="+351912345678", name="Rita", language="es")
    message = reminder_for(german_shop, haircut, anna, customer)
    assert message.template.language == "es"
    assert "lun, 7 dic 2026, 15:30" in message.preview


def test_an_english_customer_of_a_us_salon_reads_month_first_and_a_twelve_hour_clock(shop, haircut, anna):
    shop.timezone = "America/New_York"
    shop.booking_horizon_days = 400
    shop.save(update_fields=["timezone", "booking_horizon_days"])
    install(shop, ("en",))
    customer = CustomerFactory(salon=shop, phone="+12025550123", name="Sam", language="en")
    message = reminder_for(shop, haircut, anna, customer)
    assert "Mon, Dec 7, 2026, 9:30\u202fAM" in message.preview
