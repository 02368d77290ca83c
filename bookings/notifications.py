"""The one place bookings talks to messaging: confirmation, reminder, rescheduled and cancelled templates.

The templates' names, parameter order and reminder payloads are messaging's contract (``messaging.booking_templates``);
this module fills them from a booking.
"""

from __future__ import annotations

import logging

from django.db import transaction

from bookings.models import Booking, BookingSource
from localization import customer_locale, format_when
from messaging.booking_templates import (
    CANCELLED,
    CONFIRMATION,
    REMINDER,
    RESCHEDULED,
    body_parameters,
    reminder_payloads,
)
from messaging.services import message_send_template, template_language_for

logger = logging.getLogger("chairside.bookings")

# Bookings made for the customer elsewhere (an app via the API, WhatsApp flows) get WhatsApp messages on create/
# reschedule/cancel. Admin ones don't (staff talk to the customer), nor the assistant's: its own reply in the chat
# already confirms with the code, time and price, and a template on top would say it twice.
NOTIFY_SOURCES = frozenset({BookingSource.WHATSAPP, BookingSource.API})

# The template names bookings sends (bookings.services passes them to notify_on_commit).
__all__ = ["CANCELLED", "CONFIRMATION", "REMINDER", "RESCHEDULED", "notify_on_commit", "send_reminder", "when_local"]


def when_local(booking: Booking, language: str | None = None) -> str:
    """The start as the customer reads it, in the salon's wall-clock time and zone and the customer's locale (Babel):
    "Tue, 14 Apr 2026, 15:30 CEST" (en_DE), "Di., 14. Apr. 2026, 15:30 MESZ" (de_DE)…"""
    customer, salon = booking.customer, booking.salon
    language = language or customer.language or salon.language
    locale = customer_locale(language, phone=customer.phone, salon=salon)
    return format_when(booking.starts_at, locale, salon.tz, with_year=True, with_zone=True)


def template_parameters(booking: Booking, language: str | None = None) -> list[str]:
    """The body parameters, dates written for ``language`` (the language of the template that will be sent)."""
    customer = booking.customer
    return body_parameters(
        customer_name=customer.name or customer.phone,
        service_name=booking.service.name,
        when_local=when_local(booking, language),
        staff_name=booking.staff.name,
        booking_code=booking.code,
    )


def _send(booking: Booking, template_name: str, quick_reply_payloads: list[str] = ()):
    # The template's language is chosen first (the customer's, their phone's country's, the salon's), so that the
    # date in it is written the way that language writes dates.
    language = template_language_for(salon=booking.salon, customer=booking.customer, template_name=template_name)
    return message_send_template(
        salon=booking.salon,
        customer=booking.customer,
        template_name=template_name,
        language=language,
        body_parameters=template_parameters(booking, language),
        quick_reply_payloads=list(quick_reply_payloads),
        category_hint="utility",
    )


def send_reminder(*, booking: Booking):
    """Queue the reminder template (inside the caller's scope and transaction). Raises messaging's DomainErrors."""
    return _send(booking, REMINDER, reminder_payloads(booking.code))


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
