"""The one place bookings talks to messaging: confirmation, reminder, rescheduled and cancelled templates.

Template body parameters, in order: customer name, service name, local date and time, staff name, booking code.
The reminder carries three quick-reply buttons whose payloads are ``booking:<CODE>:confirm|reschedule|cancel``.
messaging is imported lazily: bookings may call it, it never imports bookings.
"""

from __future__ import annotations

import logging

from django.db import transaction

from bookings.models import Booking, BookingSource
from salons.localization import customer_locale, format_when

logger = logging.getLogger("chairside.bookings")

# Bookings made for the customer elsewhere (an app via the API, WhatsApp flows) get WhatsApp messages on create/
# reschedule/cancel. Admin ones don't (staff talk to the customer), nor the assistant's: its own reply in the chat
# already confirms with the code, time and price, and a template on top would say it twice.
NOTIFY_SOURCES = frozenset({BookingSource.WHATSAPP, BookingSource.API})

CONFIRMATION = "booking_confirmation"
REMINDER = "booking_reminder"
RESCHEDULED = "booking_rescheduled"
CANCELLED = "booking_cancelled"

REMINDER_ACTIONS = ("confirm", "reschedule", "cancel")


def when_local(booking: Booking, language: str | None = None) -> str:
    """The start as the customer reads it, in the salon's wall-clock time and the customer's locale (Babel):
    "Tue, 14 Apr 2026, 15:30" (en_DE), "Di., 14. Apr. 2026, 15:30" (de_DE), "ter., 14 de abr. de 2026, 15:30"…"""
    customer, salon = booking.customer, booking.salon
    language = language or customer.language or salon.language
    locale = customer_locale(language, phone=customer.phone, salon=salon)
    return format_when(booking.starts_at, locale, salon.tz, with_year=True)


def template_parameters(booking: Booking, language: str | None = None) -> list[str]:
    """The body parameters, dates written for ``language`` (the language of the template that will be sent)."""
    customer = booking.customer
    return [
        customer.name or customer.phone,
        booking.service.name,
        when_local(booking, language),
        booking.staff.name,
        booking.code,
    ]


def reply_payloads(booking: Booking) -> list[str]:
    return [f"booking:{booking.code}:{action}" for action in REMINDER_ACTIONS]


def _send(booking: Booking, template_name: str, quick_reply_payloads: list[str] = ()):
    from messaging.services import message_send_template, template_language_for

    # The template's language is chosen first (the customer's, their phone's country's, the salon's), so that the
    # date in it is written the way that language writes dates.
    language = template_language_for(customer=booking.customer, template_name=template_name)
    return message_send_template(
        customer=booking.customer,
        template_name=template_name,
        language=language,
        body_parameters=template_parameters(booking, language),
        quick_reply_payloads=list(quick_reply_payloads),
        category_hint="utility",
    )


def send_reminder(*, booking: Booking):
    """Queue the reminder template (inside the caller's scope and transaction). Raises messaging's DomainErrors."""
    return _send(booking, REMINDER, reply_payloads(booking))


def notify_on_commit(*, booking: Booking, template_name: str) -> None:
    """Queue ``template_name`` to the customer (customer-side sources only) in the booking's own transaction: the
    outbound row commits with the booking, so it is sent (its send task is published on commit, and the outbox
    sweeper finishes it if that publish is lost) whatever happens to this process after the commit.

    In a savepoint: a messaging refusal (template not approved, customer opted out...) is logged and never undoes
    the booking.
    """
    if booking.source not in NOTIFY_SOURCES:
        return
    try:
        with transaction.atomic():
            _send(booking, template_name)
    except Exception as exc:
        logger.warning(
            "booking message not sent",
            extra={"booking_id": booking.pk, "template": template_name, "error": f"{type(exc).__name__}: {exc}"},
        )
