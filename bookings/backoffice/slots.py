"""The slot picker: free start times of one local day from the availability engine, as form choices."""

from __future__ import annotations

from datetime import date, datetime

from bookings.availability import available_slots, distinct_start_times
from bookings.models import Service, StaffMember
from salons.backoffice.dates import wall
from salons.models import Salon


def slot_value(starts_at: datetime, staff_id: int) -> str:
    return f"{starts_at.isoformat()}|{staff_id}"


def parse_slot(value: str) -> tuple[datetime, int] | None:
    """``"<ISO start>|<staff id>"`` -> (aware start, staff id); anything else None."""
    try:
        when, staff_id = value.split("|", 1)
        starts_at = datetime.fromisoformat(when)
    except ValueError:
        return None
    if starts_at.tzinfo is None or not staff_id.isdigit():
        return None
    return starts_at, int(staff_id)


def slot_choices(
    *,
    salon: Salon,
    service: Service,
    staff: StaffMember | None,
    day: date,
    staff_names: dict[int, str],
    exclude_booking_id: int | None = None,
) -> list[tuple[str, str]]:
    """Free starts on ``day`` (one per time when any staff member will do), labelled on the salon's wall clock."""
    slots = available_slots(
        salon=salon, service=service, staff=staff, start_date=day, end_date=day, exclude_booking_id=exclude_booking_id
    )
    if staff is None:
        slots = distinct_start_times(slots)
    tz = salon.tz
    return [
        (
            slot_value(s.starts_at, s.staff_id),
            f"{s.starts_at.astimezone(tz):%H:%M}" + ("" if staff else f" · {staff_names.get(s.staff_id, '')}"),
        )
        for s in slots
    ]


def alternative_choices(salon: Salon, alternatives: list[dict], staff_names: dict[int, str]) -> list[tuple[str, str]]:
    """A conflict's alternatives (``BookingConflict.alternatives``) as slot choices, with day and staff named."""
    tz = salon.tz
    return [
        (
            slot_value(a["starts_at"], a["staff_id"]),
            f"{wall(a['starts_at'], tz)} · {staff_names.get(a['staff_id'], '')}",
        )
        for a in alternatives
    ]
