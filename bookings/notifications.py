"""The one place bookings talks to messaging: confirmation, reminder, rescheduled and cancelled templates.

Template body parameters, in order: customer name, service name, local date and time, staff name, booking code.
The reminder carries three quick-reply buttons whose payloads are ``booking:<CODE>:confirm|reschedule|cancel``.
messaging is imported lazily: bookings may call it, it never imports bookings.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from bookings.models import Booking, BookingSource
from salons.models import Salon
from salons.tenancy import salon_scope

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


def when_local(booking: Booking) -> str:
    """The start as the customer reads it: the salon's wall-clock time, e.g. "Tue 14 Apr 2026, 15:30"."""
    local = booking.starts_at.astimezone(booking.salon.tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def template_parameters(booking: Booking) -> list[str]:
    customer = booking.customer
    return [
        customer.name or customer.phone,
        booking.service.name,
        when_local(booking),
        booking.staff.name,
        booking.code,
    ]


def reply_payloads(booking: Booking) -> list[str]:
    return [f"booking:{booking.code}:{action}" for action in REMINDER_ACTIONS]


def _send(booking: Booking, template_name: str, quick_reply_payloads: list[str] = ()):
    from messaging.services import message_send_template

    return message_send_template(
        customer=booking.customer,
        template_name=template_name,
        body_parameters=template_parameters(booking),
        quick_reply_payloads=list(quick_reply_payloads),
        category_hint="utility",
    )


def send_reminder(*, booking: Booking):
    """Queue the reminder template (inside the caller's scope and transaction). Raises messaging's DomainErrors."""
    return _send(booking, REMINDER, reply_payloads(booking))


def notify_on_commit(*, booking: Booking, template_name: str) -> None:
    """After the booking's transaction commits, queue ``template_name`` to the customer (customer-side sources only).

    A messaging refusal (template not approved, customer opted out...) is logged and never undoes the booking.
    """
    if booking.source not in NOTIFY_SOURCES:
        return
    transaction.on_commit(partial(_send_after_commit, booking.salon_id, booking.pk, template_name), robust=True)


def _send_after_commit(salon_id, booking_id: int, template_name: str) -> None:
    salon = Salon.objects.filter(pk=salon_id).first()
    if salon is None:
        return
    with salon_scope(salon):
        try:
            with transaction.atomic():
                booking = Booking.objects.select_related("salon", "customer", "service", "staff").get(pk=booking_id)
                _send(booking, template_name)
        except Exception as exc:
            logger.warning(
                "booking message not sent",
                extra={"booking_id": booking_id, "template": template_name, "error": f"{type(exc).__name__}: {exc}"},
            )
