"""What the assistant can do, always for the conversation's own customer: the one door to bookings.

Both the offline dialog and the LLM tools call these functions. None of them takes a customer, phone number or salon
from the message: the customer is the conversation's, the salon is the one in scope. Bookings are written only
through ``bookings.services`` (grep: booking_create, booking_reschedule, booking_cancel, booking_confirm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min

from ai_conversations.engine import Named
from ai_conversations.engine.dates import PART_OF_DAY_HOURS
from ai_conversations.models import AIConversation
from bookings.availability import available_slots, nearest_alternatives
from bookings.models import Service, StaffMember, StaffService, WorkingHours
from bookings.selectors import booking_by_code, customer_upcoming_bookings
from bookings.services import booking_cancel, booking_confirm, booking_create, booking_reschedule
from config.api import NotFound
from salons.models import Customer, Salon

ASSISTANT_SOURCE = "assistant"
SEARCH_DAYS = 7
MAX_OFFERED = 10


@dataclass
class Turn:
    """Everything a turn acts on: the salon in scope, the conversation and its customer, the time, the language."""

    salon: Salon
    conversation: AIConversation
    customer: Customer
    now: datetime
    language: str = "en"
    formal: bool = False  # the salon's choice of address (AssistantSettings.formal_address)
    tool_calls: list[dict] = field(default_factory=list)

    @property
    def tz(self):
        return self.salon.tz


# --- catalogue --------------------------------------------------------------------------------------------------
def active_services() -> list:

    return list(Service.objects.filter(is_active=True).order_by("category", "name"))


def active_staff() -> list:

    return list(StaffMember.objects.filter(is_active=True).order_by("name"))


def named(rows) -> list[Named]:
    return [Named(row.pk, row.name) for row in rows]


def service_by_id(service_id: Any):

    try:
        return Service.objects.filter(pk=int(service_id), is_active=True).first()
    except (TypeError, ValueError):
        return None


def staff_by_id(staff_id: Any):

    if staff_id in (None, ""):
        return None
    try:
        return StaffMember.objects.filter(pk=int(staff_id), is_active=True).first()
    except (TypeError, ValueError):
        return None


def price_for(service, staff=None) -> Decimal:

    if staff is not None:
        link = StaffService.objects.filter(service=service, staff=staff).first()
        if link is not None:
            return link.effective_price(service)
    return service.price


def opening_hours() -> dict[int, tuple[time, time]]:
    """Per weekday (0 = Monday), the earliest start and latest end of any active staff member's working hours."""

    rows = (
        WorkingHours.objects.filter(staff__is_active=True)
        .values("weekday")
        .annotate(opens=Min("start_time"), closes=Max("end_time"))
    )
    return {row["weekday"]: (row["opens"], row["closes"]) for row in rows}


# --- slots ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    """A free start time offered to the customer (UTC) with the staff member who would do it."""

    starts_at: datetime
    staff_id: int

    @property
    def payload(self) -> str:
        return f"slot:{int(self.starts_at.timestamp())}:{self.staff_id}"

    @classmethod
    def from_payload(cls, payload: str) -> Offer | None:
        try:
            _, epoch, staff_id = payload.split(":")
            return cls(datetime.fromtimestamp(int(epoch), tz=UTC), int(staff_id))
        except (ValueError, TypeError):
            return None

    @classmethod
    def from_alternative(cls, alternative: dict) -> Offer:
        starts_at = alternative["starts_at"]
        if isinstance(starts_at, str):
            starts_at = datetime.fromisoformat(starts_at.replace("Z", "+00:00"))
        return cls(starts_at.astimezone(UTC), int(alternative["staff_id"]))


@dataclass
class SlotSearch:
    offers: list[Offer]
    exact: Offer | None = None  # the asked time itself is free
    asked: datetime | None = None  # the asked time (UTC), when a day and a time were given
    asked_taken: bool = False


def _distinct(slots, limit: int) -> list[Offer]:
    seen, offers = set(), []
    for slot in slots:
        if slot.starts_at in seen:
            continue
        seen.add(slot.starts_at)
        offers.append(Offer(slot.starts_at, slot.staff_id))
        if len(offers) >= limit:
            break
    return offers


def find_slots(
    turn: Turn,
    *,
    service,
    staff=None,
    day: date | None = None,
    at: time | None = None,
    part_of_day: str | None = None,
    after: time | None = None,
    exclude_booking=None,
    limit: int = MAX_OFFERED,
) -> SlotSearch:
    """Free times for ``service``: the asked time if free, else the nearest ones; a day's, or the next days' times,
    spread over the asked period (not ten consecutive starts of its first hour)."""

    exclude_id = exclude_booking.pk if exclude_booking is not None else None
    today = turn.now.astimezone(turn.tz).date()

    def slots_between(start: date, end: date) -> list:
        return available_slots(
            salon=turn.salon,
            service=service,
            staff=staff,
            start_date=start,
            end_date=end,
            now=turn.now,
            exclude_booking_id=exclude_id,
        )

    if day is not None and at is not None:
        asked = datetime.combine(day, at, tzinfo=turn.tz).astimezone(UTC)
        exact = next((s for s in slots_between(day, day) if s.starts_at == asked), None)
        if exact is not None:
            offer = Offer(exact.starts_at, exact.staff_id)
            return SlotSearch(offers=[offer], exact=offer, asked=asked)
        near = nearest_alternatives(
            salon=turn.salon,
            service=service,
            around=asked,
            staff=staff,
            limit=5,
            now=turn.now,
            exclude_booking_id=exclude_id,
        )
        if staff is not None:
            near = [s for s in near if s.staff_id == staff.pk] or near
        return SlotSearch(offers=_distinct(near, limit), asked=asked, asked_taken=True)

    slots = slots_between(day or today, day or today + timedelta(days=SEARCH_DAYS))
    if day is not None and not slots:
        # Nothing that day: the following week instead.
        slots = slots_between(day + timedelta(days=1), day + timedelta(days=SEARCH_DAYS))
    if at is not None:
        at_that_time = [s for s in slots if s.starts_at.astimezone(turn.tz).time() == at]
        slots = at_that_time or sorted(
            slots,
            key=lambda s: abs(
                s.starts_at.astimezone(turn.tz).hour * 60
                + s.starts_at.astimezone(turn.tz).minute
                - (at.hour * 60 + at.minute)
            ),
        )
    if part_of_day in PART_OF_DAY_HOURS:
        low, high = PART_OF_DAY_HOURS[part_of_day]
        in_part = [s for s in slots if low <= s.starts_at.astimezone(turn.tz).hour < high]
        slots = in_part or slots
    if after is not None:
        slots = [s for s in slots if s.starts_at.astimezone(turn.tz).time() >= after] or slots
    if at is not None:
        return SlotSearch(offers=_distinct(slots, limit))  # nearest to the asked time first
    return SlotSearch(offers=spread(_distinct(slots, len(slots)), limit))


def spread(offers: list[Offer], limit: int) -> list[Offer]:
    """At most ``limit`` offers evenly spread over the list (first and last kept), in time order."""
    if len(offers) <= limit:
        return offers
    if limit == 1:
        return offers[:1]
    step = (len(offers) - 1) / (limit - 1)
    return [offers[round(i * step)] for i in range(limit)]


# --- bookings of this customer only -----------------------------------------------------------------------------
class NotYourBooking(NotFound, code="booking_not_found"): ...


def _own(turn: Turn, booking) -> None:
    if booking is None or booking.customer_id != turn.customer.pk:
        raise NotYourBooking("No such booking.")


def my_upcoming_bookings(turn: Turn) -> list:

    return list(customer_upcoming_bookings(customer=turn.customer, now=turn.now))


def my_booking_by_code(turn: Turn, code: str):
    """The customer's own booking with this code, or None: another customer's code is simply not found."""

    booking = booking_by_code(code=(code or "").strip().upper().lstrip("#"))
    if booking is None or booking.customer_id != turn.customer.pk:
        return None
    return booking


def book(turn: Turn, *, service, staff, starts_at: datetime):

    return booking_create(
        salon=turn.salon,
        customer=turn.customer,
        service=service,
        staff=staff,
        starts_at=starts_at,
        source=ASSISTANT_SOURCE,
        notes="Booked by the assistant over WhatsApp.",
        now=turn.now,
    )


def reschedule(turn: Turn, *, booking, starts_at: datetime, staff=None):

    _own(turn, booking)
    return booking_reschedule(
        booking=booking, starts_at=starts_at, staff=staff, source=ASSISTANT_SOURCE, reason="", now=turn.now
    )


def cancel(turn: Turn, *, booking):

    _own(turn, booking)
    return booking_cancel(
        booking=booking, reason="Cancelled by the customer on WhatsApp.", source=ASSISTANT_SOURCE, now=turn.now
    )


def confirm(turn: Turn, *, booking):

    _own(turn, booking)
    return booking_confirm(booking=booking, source=ASSISTANT_SOURCE, now=turn.now)
