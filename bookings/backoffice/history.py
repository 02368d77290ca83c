"""A booking's history in words ("Rescheduled by Anna from Tue 10:00 to Wed 14:00"), on the salon's wall clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from bookings.models import BookingEvent, BookingEventKind
from salons.backoffice.dates import SHORT_YEAR, wall


def _who(event: BookingEvent) -> str:
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    if event.actor_label:
        return event.actor_label
    if event.source == "whatsapp":
        return _("the customer on WhatsApp")
    return _("the system")


def _at(value: str | None, tz: ZoneInfo) -> str:
    if not value:
        return "?"
    return wall(datetime.fromisoformat(value), tz)


def describe(event: BookingEvent, tz: ZoneInfo, staff_names: dict[int, str]) -> str:
    """One sentence for one audit event."""
    who = _who(event)
    before, after = event.before or {}, event.after or {}
    if event.kind == BookingEventKind.CREATED:
        text = _("Booked by %(who)s for %(when)s with %(staff)s") % {
            "who": who,
            "when": _at(after.get("starts_at"), tz),
            "staff": staff_names.get(after.get("staff_id"), "?"),
        }
    elif event.kind == BookingEventKind.RESCHEDULED:
        text = _("Rescheduled by %(who)s from %(old)s to %(new)s") % {
            "who": who,
            "old": _at(before.get("starts_at"), tz),
            "new": _at(after.get("starts_at"), tz),
        }
        if before.get("staff_id") != after.get("staff_id"):
            text += " " + _("(now with %(staff)s)") % {"staff": staff_names.get(after.get("staff_id"), "?")}
    elif event.kind == BookingEventKind.CANCELLED:
        text = _("Cancelled by %(who)s") % {"who": who}
    elif event.kind == BookingEventKind.CONFIRMED:
        text = _("Confirmed by %(who)s") % {"who": who}
    elif event.kind == BookingEventKind.COMPLETED:
        text = _("Marked completed by %(who)s") % {"who": who}
    else:
        text = _("Marked as no-show by %(who)s") % {"who": who}
    if event.note and event.kind in (BookingEventKind.CANCELLED, BookingEventKind.RESCHEDULED):
        text += f": “{event.note}”"
    return text


def booking_history(booking, tz: ZoneInfo, staff_names: dict[int, str]) -> list[dict]:
    """Every event of the booking, oldest first, as {"when", "text"} (one query, actors joined)."""
    events = BookingEvent.objects.filter(booking=booking).select_related("actor").order_by("created_at", "pk")
    return [{"when": wall(e.created_at, tz, SHORT_YEAR), "text": describe(e, tz, staff_names)} for e in events]
