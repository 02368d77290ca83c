"""The availability engine: hours, breaks, time off, bookings with buffers, notice, horizon, step, DST, query count."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings.availability import available_slots, nearest_alternatives
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from salons.tests.factories import SalonFactory

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]

# A Monday well before everything the tests look at.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def local_starts(slots, tz):
    return [s.starts_at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M") for s in slots]


def make_salon(tz="Europe/Berlin", **policy):
    policy = {"min_notice_minutes": 0, "booking_horizon_days": 365, "slot_step_minutes": 60, **policy}
    return SalonFactory(timezone=tz, **policy)


def test_working_hours_with_a_break_and_step():
    salon = make_salon(slot_step_minutes=30)
    service = ServiceFactory(salon=salon, duration_minutes=60)
    staff_with_hours(salon, [service], hours=[(time(9), time(12)), (time(13), time(15))])
    day = date(2026, 3, 3)
    slots = available_slots(salon=salon, service=service, start_date=day, end_date=day, now=NOW)
    assert local_starts(slots, salon.timezone) == [
        "03-03 09:00",
        "03-03 09:30",
        "03-03 10:00",
        "03-03 10:30",
        "03-03 11:00",
        "03-03 13:00",
        "03-03 13:30",
        "03-03 14:00",
    ]
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in slots)


def test_existing_booking_blocks_its_range_plus_the_service_buffers():
    salon = make_salon(slot_step_minutes=30)
    service = ServiceFactory(salon=salon, duration_minutes=60, buffer_before_minutes=15, buffer_after_minutes=15)
    staff = staff_with_hours(salon, [service], hours=[(time(9), time(14))])
    tz = ZoneInfo(salon.timezone)
    booking_for(salon, service=service, staff=staff, starts_at=datetime(2026, 3, 3, 11, tzinfo=tz), now=NOW)
    day = date(2026, 3, 3)
    slots = available_slots(salon=salon, service=service, staff=staff, start_date=day, end_date=day, now=NOW)
    # The booking holds 10:45-12:15; a new one needs its own 15 min either side.
    assert local_starts(slots, salon.timezone) == ["03-03 09:00", "03-03 09:30", "03-03 12:30", "03-03 13:00"]


def test_cancelled_booking_frees_the_time():
    from bookings.services import booking_cancel

    salon = make_salon()
    service = ServiceFactory(salon=salon)
    staff = staff_with_hours(salon, [service], hours=[(time(9), time(11))])
    tz = ZoneInfo(salon.timezone)
    booking = booking_for(salon, service=service, staff=staff, starts_at=datetime(2026, 3, 3, 9, tzinfo=tz), now=NOW)
    day = date(2026, 3, 3)
    assert local_starts(
        available_slots(salon=salon, service=service, start_date=day, end_date=day, now=NOW), salon.timezone
    ) == ["03-03 10:00"]
    booking_cancel(booking=booking, now=NOW)
    assert len(available_slots(salon=salon, service=service, start_date=day, end_date=day, now=NOW)) == 2


def test_time_off_of_the_staff_member_and_of_the_whole_salon():
    salon = make_salon()
    service = ServiceFactory(salon=salon)
    anna = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(12))])
    staff_with_hours(salon, [service], name="Ben", hours=[(time(9), time(12))])
    tz = ZoneInfo(salon.timezone)
    TimeOffFactory(
        salon=salon,
        staff=anna,
        starts_at=datetime(2026, 3, 3, 9, tzinfo=tz),
        ends_at=datetime(2026, 3, 3, 10, 30, tzinfo=tz),
    )
    TimeOffFactory(
        salon=salon,
        staff=None,
        starts_at=datetime(2026, 3, 4, 0, tzinfo=tz),
        ends_at=datetime(2026, 3, 5, 0, tzinfo=tz),
    )
    slots = available_slots(
        salon=salon, service=service, start_date=date(2026, 3, 3), end_date=date(2026, 3, 4), now=NOW
    )
    anna_slots = [s for s in slots if s.staff_id == anna.pk]
    assert local_starts(anna_slots, salon.timezone) == ["03-03 11:00"]
    ben_slots = [s for s in slots if s.staff_id != anna.pk]
    assert local_starts(ben_slots, salon.timezone) == ["03-03 09:00", "03-03 10:00", "03-03 11:00"]


def test_minimum_notice_and_booking_horizon():
    salon = make_salon(min_notice_minutes=120, booking_horizon_days=2)
    service = ServiceFactory(salon=salon)
    staff_with_hours(salon, [service], hours=[(time(9), time(12))])
    tz = ZoneInfo(salon.timezone)
    now = datetime(2026, 3, 3, 8, 30, tzinfo=tz)
    slots = available_slots(
        salon=salon, service=service, start_date=date(2026, 3, 3), end_date=date(2026, 3, 10), now=now
    )
    # Not before 10:30 today; not after 08:30 two days later.
    assert local_starts(slots, salon.timezone) == ["03-03 11:00", "03-04 09:00", "03-04 10:00", "03-04 11:00"]


def test_staff_own_duration_and_inactive_or_unqualified_staff():
    salon = make_salon()
    service = ServiceFactory(salon=salon, duration_minutes=60)
    slow = staff_with_hours(salon, [service], name="Slow", hours=[(time(9), time(11))], duration_minutes=120)
    idle = staff_with_hours(salon, [service], name="Idle", hours=[(time(9), time(11))])
    idle.is_active = False
    idle.save()
    staff_with_hours(salon, [ServiceFactory(salon=salon)], name="Other", hours=[(time(9), time(11))])
    day = date(2026, 3, 3)
    slots = available_slots(salon=salon, service=service, start_date=day, end_date=day, now=NOW)
    assert [(s.staff_id, s.ends_at - s.starts_at) for s in slots] == [(slow.pk, timedelta(hours=2))]


@pytest.mark.parametrize(
    ("tz", "day_before", "change_day", "utc_hour_before", "utc_hour_after"),
    [
        ("Europe/Berlin", date(2026, 3, 28), date(2026, 3, 29), 8, 7),  # CET -> CEST
        ("Europe/Berlin", date(2026, 10, 24), date(2026, 10, 25), 7, 8),  # CEST -> CET
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 8), 14, 13),  # EST -> EDT
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 1), 13, 14),  # EDT -> EST
    ],
)
def test_working_hours_stay_on_the_local_clock_across_dst(tz, day_before, change_day, utc_hour_before, utc_hour_after):
    salon = make_salon(tz)
    service = ServiceFactory(salon=salon)
    staff_with_hours(salon, [service], hours=[(time(9), time(12))])
    slots = available_slots(salon=salon, service=service, start_date=day_before, end_date=change_day, now=NOW)
    local = [s.starts_at.astimezone(ZoneInfo(tz)).strftime("%H:%M") for s in slots]
    assert local == ["09:00", "10:00", "11:00"] * 2
    assert slots[0].starts_at.hour == utc_hour_before
    assert slots[3].starts_at.hour == utc_hour_after


@pytest.mark.parametrize(
    ("tz", "day", "expected"),
    [
        # Spring forward: 02:00-03:00 does not exist, the night shift is an hour shorter.
        ("Europe/Berlin", date(2026, 3, 29), ["00:00+01", "01:00+01", "03:00+02", "04:00+02", "05:00+02"]),
        ("America/New_York", date(2026, 3, 8), ["00:00-05", "01:00-05", "03:00-04", "04:00-04", "05:00-04"]),
        # Fall back: 02:00-03:00 (Berlin) / 01:00-02:00 (New York) happens twice, the shift is an hour longer.
        (
            "Europe/Berlin",
            date(2026, 10, 25),
            ["00:00+02", "01:00+02", "02:00+02", "02:00+01", "03:00+01", "04:00+01", "05:00+01"],
        ),
        (
            "America/New_York",
            date(2026, 11, 1),
            ["00:00-04", "01:00-04", "01:00-05", "02:00-05", "03:00-05", "04:00-05", "05:00-05"],
        ),
    ],
)
def test_a_working_range_spanning_the_dst_change_has_its_real_length(tz, day, expected):
    salon = make_salon(tz)
    service = ServiceFactory(salon=salon)
    staff_with_hours(salon, [service], hours=[(time(0), time(6))])
    slots = available_slots(salon=salon, service=service, start_date=day, end_date=day, now=NOW)
    assert [s.starts_at.astimezone(ZoneInfo(tz)).strftime("%H:%M%z")[:-2] for s in slots] == expected
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in slots)


def test_a_booking_made_on_a_dst_day_blocks_the_right_real_hour():
    salon = make_salon("America/New_York")
    service = ServiceFactory(salon=salon)
    staff = staff_with_hours(salon, [service], hours=[(time(0), time(6))])
    tz = ZoneInfo("America/New_York")
    # 01:00 EDT (the first of the two 01:00s) on the fall-back day.
    first_one_am = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert first_one_am.astimezone(tz).strftime("%H:%M%z") == "01:00-0400"
    booking_for(salon, service=service, staff=staff, starts_at=first_one_am, now=NOW)
    slots = available_slots(
        salon=salon, service=service, start_date=date(2026, 11, 1), end_date=date(2026, 11, 1), now=NOW
    )
    labels = [s.starts_at.astimezone(tz).strftime("%H:%M%z")[:-2] for s in slots]
    assert "01:00-04" not in labels
    assert "01:00-05" in labels


def test_nearest_alternatives_prefer_the_same_staff_and_the_closest_times():
    salon = make_salon()
    service = ServiceFactory(salon=salon)
    anna = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(13))])
    ben = staff_with_hours(salon, [service], name="Ben", hours=[(time(9), time(13))])
    tz = ZoneInfo(salon.timezone)
    wanted = datetime(2026, 3, 3, 10, tzinfo=tz)
    booking_for(salon, service=service, staff=anna, starts_at=wanted, now=NOW)
    alternatives = nearest_alternatives(salon=salon, service=service, staff=anna, around=wanted, now=NOW)
    assert [(a.starts_at.astimezone(tz).strftime("%d %H:%M"), a.staff_id) for a in alternatives] == [
        ("03 09:00", anna.pk),
        ("03 11:00", anna.pk),
        ("03 12:00", anna.pk),
    ]
    anyone = nearest_alternatives(salon=salon, service=service, around=wanted, now=NOW)
    assert [a.starts_at.astimezone(tz).strftime("%H:%M") for a in anyone] == ["09:00", "10:00", "11:00"]
    assert anyone[1].staff_id == ben.pk


def _busy_salon(staff_count):
    salon = make_salon(slot_step_minutes=15)
    service = ServiceFactory(salon=salon, buffer_after_minutes=10)
    tz = ZoneInfo(salon.timezone)
    members = [
        staff_with_hours(salon, [service], hours=[(time(9), time(13)), (time(14), time(18))])
        for _ in range(staff_count)
    ]
    for i, staff in enumerate(members):
        for day in range(14):
            starts = datetime(2026, 3, 3, 9 + (i + day) % 8, tzinfo=tz) + timedelta(days=day)
            if starts.hour != 13:
                booking_for(salon, service=service, staff=staff, starts_at=starts, now=NOW)
        TimeOffFactory(
            salon=salon,
            staff=staff,
            starts_at=datetime(2026, 3, 5, 9, tzinfo=tz),
            ends_at=datetime(2026, 3, 5, 12, tzinfo=tz),
        )
    TimeOffFactory(
        salon=salon, starts_at=datetime(2026, 3, 8, 0, tzinfo=tz), ends_at=datetime(2026, 3, 9, 0, tzinfo=tz)
    )
    return salon, service


@pytest.mark.parametrize(("days", "staff_count"), [(1, 1), (14, 10)])
def test_availability_runs_in_a_constant_number_of_queries(days, staff_count, django_assert_max_num_queries):
    salon, service = _busy_salon(staff_count)
    start = date(2026, 3, 3)
    with django_assert_max_num_queries(3):
        slots = available_slots(
            salon=salon, service=service, start_date=start, end_date=start + timedelta(days=days - 1), now=NOW
        )
    assert slots
    assert len({s.staff_id for s in slots}) == staff_count


def test_a_start_a_fraction_of_a_second_inside_the_notice_is_not_offered():
    # Asked at 08:00:00.5 UTC with one hour's notice: 10:00 Berlin (09:00 UTC) is half a second too early, and the
    # booking service would refuse it; every slot offered must be bookable at that instant.
    from bookings.errors import BookingInvalid
    from bookings.services import booking_create
    from salons.tests.factories import CustomerFactory

    salon = make_salon(min_notice_minutes=60)
    service = ServiceFactory(salon=salon, duration_minutes=60)
    staff = staff_with_hours(salon, [service], hours=[(time(9), time(12))])
    now = datetime(2026, 3, 3, 8, 0, 0, 500000, tzinfo=UTC)
    day = date(2026, 3, 3)
    slots = available_slots(salon=salon, service=service, start_date=day, end_date=day, now=now)
    assert local_starts(slots, salon.timezone) == ["03-03 11:00"]
    with pytest.raises(BookingInvalid):
        booking_create(
            salon=salon,
            customer=CustomerFactory(salon=salon),
            service=service,
            staff=staff,
            starts_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
            source="admin",
            now=now,
        )
