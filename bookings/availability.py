"""Free start times: working hours minus breaks, time off and active bookings (with buffers), in the salon's zone.

Everything is loaded in three queries (qualified staff, their working hours, and time off plus active bookings
overlapping the window in one UNION ALL) whatever the date range or the number of staff; the slots are then
computed in Python on integer epoch seconds. Working hours are wall-clock times of the salon's zone: each local
day's ranges are converted to UTC with that day's offset, so DST days are 23 or 25 hours long and a range spanning
the change is shorter or longer in real time. Slots step in real time from the start of each working range.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import DateTimeField, F, Func, Q, Value
from django.utils import timezone

from bookings.models import ACTIVE_STATUSES, Booking, Service, StaffMember, StaffService, TimeOff, WorkingHours
from salons.models import Salon
from salons.tenancy import salon_scope


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    staff_id: int

    def as_alternative(self) -> dict:
        return {"starts_at": self.starts_at, "ends_at": self.ends_at, "staff_id": self.staff_id}


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time of the salon on ``day`` as aware UTC. A time inside a spring-forward gap moves forward."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_day_bounds(start_date: date, end_date: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of start_date, local midnight after end_date) in UTC."""
    return local_to_utc(start_date, time.min, tz), local_to_utc(end_date + timedelta(days=1), time.min, tz)


class _Intervals:
    """Sorted, merged, half-open [start, end) intervals of epoch seconds with an O(log n) overlap test."""

    __slots__ = ("ends", "starts")

    def __init__(self, pairs: Iterable[tuple[int, int]]):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(pairs):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return True
        return i + 1 < len(self.starts) and self.starts[i + 1] < end


@dataclass
class StaffPlan:
    """What the engine knows about one qualified staff member for one service."""

    staff: StaffMember
    duration_minutes: int
    price: Decimal
    hours: dict[int, list[tuple[time, time]]] = field(default_factory=lambda: defaultdict(list))
    time_off: _Intervals | None = None
    busy: _Intervals | None = None

    @property
    def staff_id(self) -> int:
        return self.staff.pk


# The reasons a time does not work for a staff member, as returned by Schedule.check().
OUTSIDE_HOURS = "outside_working_hours"
TIME_OFF = "time_off"
BUSY = "busy"


class Schedule:
    """The rows needed to answer "when is who free for this service" between two instants, loaded once."""

    def __init__(
        self,
        *,
        salon: Salon,
        service: Service,
        staff: StaffMember | None,
        window_start: datetime,
        window_end: datetime,
        exclude_booking_id: int | None = None,
        load_bookings: bool = True,
    ):
        """``load_bookings=False`` skips the bookings query (validating a write the database will check anyway)."""
        self.salon = salon
        self.service = service
        self.tz = salon.tz
        self.window_start = window_start
        self.window_end = window_end
        self.plans: dict[int, StaffPlan] = {}
        if not service.is_active:
            return
        links = StaffService.objects.filter(service=service, staff__is_active=True).select_related("staff")
        if staff is not None:
            links = links.filter(staff=staff)
        for link in links.order_by("staff__name", "staff_id"):
            self.plans[link.staff_id] = StaffPlan(
                staff=link.staff,
                duration_minutes=link.effective_duration_minutes(service),
                price=link.effective_price(service),
            )
        if not self.plans:
            return
        staff_ids = list(self.plans)
        for staff_id, weekday, start_time, end_time in WorkingHours.objects.filter(staff_id__in=staff_ids).values_list(
            "staff_id", "weekday", "start_time", "end_time"
        ):
            self.plans[staff_id].hours[weekday].append((start_time, end_time))

        max_minutes = max(plan.duration_minutes for plan in self.plans.values())
        reach_end = window_end + timedelta(minutes=max_minutes + service.buffer_after_minutes)
        reach_start = window_start - timedelta(minutes=service.buffer_before_minutes)

        # Time off and active bookings come back in one round trip (UNION ALL), told apart by ``is_booking``.
        off_by_staff: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
        busy_by_staff: dict[int, list[tuple[int, int]]] = defaultdict(list)
        rows = (
            TimeOff.objects.filter(
                Q(staff_id__in=staff_ids) | Q(staff__isnull=True), starts_at__lt=reach_end, ends_at__gt=reach_start
            )
            .annotate(is_booking=Value(False), lo=F("starts_at"), hi=F("ends_at"))
            .values_list("is_booking", "staff_id", "lo", "hi")
        )
        if load_bookings:
            bookings = Booking.objects.filter(
                staff_id__in=staff_ids,
                status__in=ACTIVE_STATUSES,
                busy_range__overlap=DateTimeTZRange(reach_start, reach_end, "[)"),
            )
            if exclude_booking_id is not None:
                bookings = bookings.exclude(pk=exclude_booking_id)
            rows = rows.union(
                bookings.annotate(
                    is_booking=Value(True),
                    lo=Func(F("busy_range"), function="lower", output_field=DateTimeField()),
                    hi=Func(F("busy_range"), function="upper", output_field=DateTimeField()),
                ).values_list("is_booking", "staff_id", "lo", "hi"),
                all=True,
            )
        for is_booking, staff_id, lo, hi in rows:
            (busy_by_staff if is_booking else off_by_staff)[staff_id].append((_ts(lo), _ts(hi)))

        for staff_id, plan in self.plans.items():
            plan.time_off = _Intervals(off_by_staff[staff_id] + off_by_staff[None])
            plan.busy = _Intervals(busy_by_staff[staff_id])

    # --- one instant ------------------------------------------------------------------------------------------
    def _ranges_on(self, plan: StaffPlan, day: date) -> list[tuple[int, int]]:
        ranges = []
        for start_time, end_time in plan.hours.get(day.weekday(), ()):
            start, end = _ts(local_to_utc(day, start_time, self.tz)), _ts(local_to_utc(day, end_time, self.tz))
            if end > start:
                ranges.append((start, end))
        return ranges

    def check(self, staff_id: int, starts_at: datetime, *, include_bookings: bool = True) -> str | None:
        """None if the staff member can take the service at ``starts_at``, else OUTSIDE_HOURS, TIME_OFF or BUSY."""
        plan = self.plans[staff_id]
        start = _ts(starts_at)
        end = start + plan.duration_minutes * 60
        day = starts_at.astimezone(self.tz).date()
        if not any(ws <= start and end <= we for ws, we in self._ranges_on(plan, day)):
            return OUTSIDE_HOURS
        if plan.time_off.overlaps(start, end):
            return TIME_OFF
        busy_start = start - self.service.buffer_before_minutes * 60
        busy_end = end + self.service.buffer_after_minutes * 60
        if include_bookings and plan.busy.overlaps(busy_start, busy_end):
            return BUSY
        return None

    # --- all slots --------------------------------------------------------------------------------------------
    def slots(self, *, earliest: datetime, latest: datetime, step_minutes: int) -> list[Slot]:
        """Every free (start, staff) with earliest <= start <= latest and start inside the window."""
        # Rounded up: a start a fraction of a second before ``earliest`` would be refused by the booking service.
        lo = max(_ts(self.window_start), math.ceil(earliest.timestamp()))
        hi = min(_ts(self.window_end) - 1, _ts(latest))
        if lo > hi or not self.plans:
            return []
        step = step_minutes * 60
        before = self.service.buffer_before_minutes * 60
        after = self.service.buffer_after_minutes * 60
        first_day = _dt(lo).astimezone(self.tz).date()
        last_day = _dt(hi).astimezone(self.tz).date()
        found: list[tuple[int, int, int, int]] = []
        for order, plan in enumerate(self.plans.values()):
            duration = plan.duration_minutes * 60
            time_off, busy = plan.time_off, plan.busy
            day = first_day
            while day <= last_day:
                for ws, we in self._ranges_on(plan, day):
                    t = ws if ws >= lo else ws + math.ceil((lo - ws) / step) * step
                    last_start = min(we - duration, hi)
                    while t <= last_start:
                        end = t + duration
                        if not time_off.overlaps(t, end) and not busy.overlaps(t - before, end + after):
                            found.append((t, order, end, plan.staff_id))
                        t += step
                day += timedelta(days=1)
        found.sort()
        return [Slot(_dt(t), _dt(end), staff_id) for t, _order, end, staff_id in found]


def booking_window(salon: Salon, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest start a customer may book now (minimum notice, booking horizon)."""
    return now + timedelta(minutes=salon.min_notice_minutes), now + timedelta(days=salon.booking_horizon_days)


def available_slots(
    *,
    salon: Salon,
    service: Service,
    staff: StaffMember | None = None,
    start_date: date,
    end_date: date,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
) -> list[Slot]:
    """Free start times between two local dates (inclusive), for ``staff`` or any qualified staff member.

    Sorted by start time, then staff name; with ``staff=None`` one start time may appear once per free staff member.
    """
    now = now or timezone.now()
    window_start, window_end = local_day_bounds(start_date, end_date, salon.tz)
    earliest, latest = booking_window(salon, now)
    if max(window_start, earliest) > min(window_end, latest):
        return []
    with salon_scope(salon):
        schedule = Schedule(
            salon=salon,
            service=service,
            staff=staff,
            window_start=max(window_start, earliest),
            window_end=min(window_end, latest + timedelta(seconds=1)),
            exclude_booking_id=exclude_booking_id,
        )
        return schedule.slots(earliest=earliest, latest=latest, step_minutes=salon.slot_step_minutes)


def distinct_start_times(slots: Iterable[Slot]) -> list[Slot]:
    """One slot per start time (the first staff member in name order), for "any staff" offers."""
    seen: set[datetime] = set()
    result = []
    for slot in slots:
        if slot.starts_at not in seen:
            seen.add(slot.starts_at)
            result.append(slot)
    return result


def nearest_alternatives(
    *,
    salon: Salon,
    service: Service,
    around: datetime,
    staff: StaffMember | None = None,
    limit: int = 3,
    search_days: int = 7,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
) -> list[Slot]:
    """Up to ``limit`` free slots nearest to ``around`` (the requested staff member's first), sorted by time."""
    local_day = around.astimezone(salon.tz).date()
    slots = available_slots(
        salon=salon,
        service=service,
        start_date=local_day - timedelta(days=1),
        end_date=local_day + timedelta(days=search_days),
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    preferred = [s for s in slots if staff is None or s.staff_id == staff.pk]
    others = [s for s in slots if staff is not None and s.staff_id != staff.pk]

    def nearest(candidates: list[Slot]) -> list[Slot]:
        return sorted(distinct_start_times(candidates), key=lambda s: (abs(s.starts_at - around), s.starts_at))

    chosen = nearest(preferred)[:limit]
    if len(chosen) < limit:
        taken = {s.starts_at for s in chosen}
        chosen += [s for s in nearest(others) if s.starts_at not in taken][: limit - len(chosen)]
    return sorted(chosen, key=lambda s: s.starts_at)
