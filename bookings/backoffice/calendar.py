"""The calendar grid: a time axis, one lane per staff member and day, working hours, time off and bookings placed by
their local wall-clock minutes, and the "now" line.

Loaded in a constant number of queries whatever the number of staff, days or bookings: staff, working hours, time
off and bookings (with customer and service) are one query each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bookings.availability import local_day_bounds
from bookings.models import Booking, StaffMember, TimeOff, WorkingHours
from salons.models import Salon
from salons.tenancy import salon_scope

PX_PER_HOUR = 64
DEFAULT_HOURS = (8, 20)


@dataclass
class Block:
    top: float  # px from the top of the grid
    height: float
    label: str = ""
    url: str = ""
    css: str = ""
    booking: Booking | None = None


@dataclass
class BookingBlock(Block):
    """A booking's block: also the local hours it covers (``when``) and a title that says it all."""

    when: str = ""
    title: str = ""


@dataclass
class Lane:
    staff: StaffMember
    day: date
    working: list[Block] = field(default_factory=list)
    time_off: list[Block] = field(default_factory=list)
    bookings: list[BookingBlock] = field(default_factory=list)
    slots: list[Block] = field(default_factory=list)  # empty, bookable cells: a link to book there


@dataclass
class DayColumn:
    day: date
    lanes: list[Lane]
    is_today: bool = False
    now_top: float | None = None


@dataclass
class Grid:
    salon: Salon
    days: list[DayColumn]
    staff: list[StaffMember]
    first_hour: int
    last_hour: int

    @property
    def height(self) -> int:
        return (self.last_hour - self.first_hour) * PX_PER_HOUR

    @property
    def hours(self) -> list[dict]:
        return [
            {"label": f"{h:02d}:00", "top": (h - self.first_hour) * PX_PER_HOUR}
            for h in range(self.first_hour, self.last_hour)
        ]


def _minutes(value: datetime, day: date, tz: ZoneInfo) -> int:
    """Minutes after local midnight of ``day`` on the wall clock (clamped to the day)."""
    local = value.astimezone(tz)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def _clock(t: time) -> int:
    return t.hour * 60 + t.minute


def build_grid(
    *,
    salon: Salon,
    start: date,
    days: int,
    staff_ids: list[int] | None = None,
    now: datetime | None = None,
    book_url: str = "",
) -> Grid:
    """The calendar of ``days`` local days from ``start`` for the salon's active staff (or ``staff_ids``)."""
    tz = salon.tz
    now = now or timezone.now()
    dates = [start + timedelta(days=i) for i in range(days)]
    window_start, window_end = local_day_bounds(dates[0], dates[-1], tz)
    with salon_scope(salon):
        staff_qs = StaffMember.objects.filter(is_active=True).order_by("name", "pk")
        if staff_ids:
            staff_qs = staff_qs.filter(pk__in=staff_ids)
        staff = list(staff_qs)
        ids = [s.pk for s in staff]
        hours = list(WorkingHours.objects.filter(staff_id__in=ids).order_by("start_time"))
        time_off = list(
            TimeOff.objects.filter(starts_at__lt=window_end, ends_at__gt=window_start).filter(_staff_or_salon_wide(ids))
        )
        bookings = list(
            Booking.objects.filter(staff_id__in=ids, starts_at__lt=window_end, ends_at__gt=window_start)
            .select_related("customer", "service")
            .order_by("starts_at")
        )
    first, last = _hour_range(hours, bookings, dates, tz)
    grid = Grid(salon=salon, days=[], staff=staff, first_hour=first, last_hour=last)
    offset = first * 60

    def px(minutes: int) -> float:
        return (minutes - offset) * PX_PER_HOUR / 60

    by_staff_weekday: dict[tuple[int, int], list[WorkingHours]] = {}
    for row in hours:
        by_staff_weekday.setdefault((row.staff_id, row.weekday), []).append(row)
    today = now.astimezone(tz).date()
    step = max(salon.slot_step_minutes or 30, 15)
    for day in dates:
        column = DayColumn(day=day, lanes=[], is_today=day == today)
        if column.is_today:
            minute = _minutes(now, day, tz)
            if first * 60 <= minute <= last * 60:
                column.now_top = px(minute)
        for member in staff:
            lane = Lane(staff=member, day=day)
            for row in by_staff_weekday.get((member.pk, day.weekday()), []):
                a, b = _clock(row.start_time), _clock(row.end_time)
                lane.working.append(Block(top=px(a), height=px(b) - px(a)))
                for cell in range(a, b, step):
                    label = f"{cell // 60:02d}:{cell % 60:02d}"
                    href = f"{book_url}?salon={salon.pk}&staff={member.pk}&date={day.isoformat()}&at={label}"
                    lane.slots.append(
                        Block(top=px(cell), height=px(min(cell + step, b)) - px(cell), label=label, url=href)
                    )
            for off in time_off:
                if off.staff_id not in (None, member.pk):
                    continue
                a, b = _minutes(off.starts_at, day, tz), _minutes(off.ends_at, day, tz)
                if b > a:
                    lane.time_off.append(
                        Block(top=px(a), height=px(b) - px(a), label=off.reason or "Time off", css="time-off")
                    )
            column.lanes.append(lane)
        grid.days.append(column)
    _place_bookings(grid, bookings, tz, px)
    return grid


def _staff_or_salon_wide(ids) -> Q:
    return Q(staff_id__in=ids) | Q(staff__isnull=True)


def _hour_range(hours, bookings, dates, tz) -> tuple[int, int]:
    weekdays = {d.weekday() for d in dates}
    starts = [_clock(h.start_time) for h in hours if h.weekday in weekdays]
    ends = [_clock(h.end_time) for h in hours if h.weekday in weekdays]
    for booking in bookings:
        local_start, local_end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
        starts.append(local_start.hour * 60 + local_start.minute)
        ends.append(24 * 60 if local_end.date() > local_start.date() else local_end.hour * 60 + local_end.minute)
    if not starts:
        return DEFAULT_HOURS
    first = min(min(starts) // 60, DEFAULT_HOURS[0])
    last = max(-(-max(ends) // 60), DEFAULT_HOURS[1])
    return max(first, 0), min(last, 24)


def _place_bookings(grid: Grid, bookings: list[Booking], tz: ZoneInfo, px) -> None:
    lanes = {(lane.staff.pk, lane.day): lane for column in grid.days for lane in column.lanes}
    for booking in bookings:
        local_start, local_end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
        lane = lanes.get((booking.staff_id, local_start.date()))
        if lane is None:
            continue
        a = _minutes(booking.starts_at, lane.day, tz)
        b = _minutes(booking.ends_at, lane.day, tz)
        when = f"{local_start:%H:%M}–{local_end:%H:%M}"
        customer = booking.customer.name or booking.customer.phone
        lane.bookings.append(
            BookingBlock(
                top=px(a),
                height=max(px(b) - px(a), 18),
                label=customer,
                url=reverse("admin:bookings_booking_change", args=[booking.pk]),
                css=f"status-{booking.status}",
                title=f"{when} · {booking.service.name} · {customer} · {booking.get_status_display()}",
                when=when,
                booking=booking,
            )
        )
