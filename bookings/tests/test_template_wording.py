"""The booking templates read in each language Chairside speaks, worded by the catalog: what the customer receives
when a booking is made and reminded, and the buttons under the reminder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bookings.notifications import send_reminder
from bookings.services import booking_create
from bookings.tests.conftest import NOW
from messaging.booking_templates import CONFIRMATION, REMINDER, button_texts, reminder_payloads
from messaging.models import Message, MessageTemplate
from messaging.services import template_install_pack
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 15:30 in Berlin (winter time).
STARTS_AT = datetime(2026, 12, 7, 14, 30, tzinfo=UTC)

CONFIRMATIONS = {
    "en": "Hi Jana, your Haircut on Mon, 7 Dec 2026, 15:30 CET with Anna is booked. Booking code: {code}.",
    "de": "Hallo Jana, dein Termin für Haircut am Mo., 7. Dez. 2026, 15:30 MEZ bei Anna ist gebucht. "
    "Buchungscode: {code}.",
    "es": "Hola Jana, tu cita de Haircut el lun, 7 dic 2026, 15:30 CET con Anna está reservada. "
    "Código de reserva: {code}.",
    # Portuguese as Brazil writes it (no pt_DE in CLDR), which has no short name for Berlin's zone.
    "pt": "Olá Jana, seu horário de Haircut em seg., 7 de dez. de 2026 15:30 GMT+01:00 com Anna está marcado. "
    "Código da reserva: {code}.",
}
REMINDERS = {
    "en": "Reminder, Jana: your Haircut is on Mon, 7 Dec 2026, 15:30 CET with Anna (code {code}). See you soon!",
    "de": "Erinnerung, Jana: Dein Termin für Haircut ist am Mo., 7. Dez. 2026, 15:30 MEZ bei Anna (Code {code}). "
    "Bis bald!",
    "es": "Recordatorio, Jana: tu cita de Haircut es el lun, 7 dic 2026, 15:30 CET con Anna (código {code}). "
    "¡Hasta pronto!",
    "pt": "Lembrete, Jana: seu horário de Haircut é em seg., 7 de dez. de 2026 15:30 GMT+01:00 com Anna "
    "(código {code}). Até breve!",
}
BUTTONS = {
    "en": ["Confirm", "Reschedule", "Cancel"],
    "de": ["Bestätigen", "Verschieben", "Absagen"],
    "es": ["Confirmar", "Cambiar cita", "Cancelar"],
    "pt": ["Confirmar", "Remarcar", "Cancelar"],
}


@pytest.fixture
def winter_shop(shop):
    shop.booking_horizon_days = 400
    shop.save(update_fields=["booking_horizon_days"])
    with salon_scope(shop):
        template_install_pack(salon=shop, approve_locally=True)
    return shop


@pytest.mark.parametrize("language", ["en", "de", "es", "pt"])
def test_confirmation_and_reminder_read_in_the_customers_language(
    winter_shop, haircut, anna, language, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(salon=winter_shop, phone="+4915112340000", name="Jana", language=language)
    with salon_scope(winter_shop):
        with django_capture_on_commit_callbacks(execute=True):
            booking = booking_create(
                salon=winter_shop,
                customer=customer,
                service=haircut,
                staff=anna,
                starts_at=STARTS_AT,
                source="api",
                now=NOW,
            )
        confirmation = Message.objects.get(template__name=CONFIRMATION)
        reminder = send_reminder(booking=booking)
    assert confirmation.template.language == reminder.template.language == language
    assert confirmation.preview == CONFIRMATIONS[language].format(code=booking.code)
    assert reminder.preview == REMINDERS[language].format(code=booking.code)
    buttons = [c for c in reminder.body["template"]["components"] if c["type"] == "button"]
    assert [b["parameters"][0]["payload"] for b in buttons] == reminder_payloads(booking.code)


@pytest.mark.parametrize("language", ["en", "de", "es", "pt"])
def test_the_reminder_buttons_are_worded_by_the_catalog(winter_shop, language):
    with salon_scope(winter_shop):
        template = MessageTemplate.objects.get(name=REMINDER, language=language)
    [buttons] = [component for component in template.components if component["type"] == "BUTTONS"]
    assert [button["text"] for button in buttons["buttons"]] == BUTTONS[language] == button_texts(language)
    assert template.quick_reply_count == len(reminder_payloads("K7Q2PX"))
