"""How the isolation suite exercises the bookings app's tenant routes and admin pages.

``make_kwargs`` builds a small catalog in the salon (a service, a staff member working every day 06:00-22:00, a
customer); ``write_body`` only reads the salon's latest such rows (it runs between database snapshots).
"""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

from django.utils import timezone

from bookings.models import Booking, Service, StaffMember, TimeOff
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from salons.models import Customer, Role
from salons.tests.factories import CustomerFactory
from tests.isolation.cases import RouteCase

_n = itertools.count(1)

MANAGER_WRITES = {"get": Role.VIEWER, "post": Role.MANAGER, "patch": Role.MANAGER, "delete": Role.MANAGER}


def _local(salon, days: int, hour: int) -> datetime:
    """``hour`` o'clock, ``days`` from today, on the salon's wall clock."""
    today = timezone.now().astimezone(salon.tz).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=salon.tz)


def _catalog(salon) -> dict:
    service = ServiceFactory(salon=salon, name=f"Cut {next(_n)}")
    staff = staff_with_hours(salon, [service], hours=[(time(6), time(22))])
    customer = CustomerFactory(salon=salon)
    return {"service": service, "staff": staff, "customer": customer}


def _latest(model, salon):
    return model.all_salons.filter(salon=salon).order_by("pk").last()


def _booking(salon, days: int = 3) -> Booking:
    rows = _catalog(salon)
    return booking_for(
        salon,
        service=rows["service"],
        staff=rows["staff"],
        customer=rows["customer"],
        starts_at=_local(salon, days, 10),
    )


def _started_booking(salon) -> Booking:
    """A booking that began yesterday (booked the day before), so it can be completed or marked no-show."""
    rows = _catalog(salon)
    starts_at = _local(salon, -1, 10)
    return booking_for(
        salon,
        service=rows["service"],
        staff=rows["staff"],
        customer=rows["customer"],
        starts_at=starts_at,
        now=starts_at - timedelta(days=1),
    )


def _no_kwargs(salon) -> dict:
    _catalog(salon)
    return {}


def _booking_body(salon) -> dict:
    return {
        "customer": _latest(Customer, salon).pk,
        "service": _latest(Service, salon).pk,
        "staff": _latest(StaffMember, salon).pk,
        "starts_at": _local(salon, 5, 12).isoformat(),
        "notes": "first visit",
    }


def _staff_body(salon) -> dict:
    return {
        "name": f"New stylist {next(_n)}",
        "services": [{"service": _latest(Service, salon).pk, "duration_minutes": 45}],
        "working_hours": [{"weekday": 0, "start_time": "09:00", "end_time": "13:00"}],
    }


def _time_off_body(salon) -> dict:
    return {
        "starts_at": _local(salon, 20, 0).isoformat(),
        "ends_at": _local(salon, 21, 0).isoformat(),
        "reason": "Holiday",
    }


CASES = [
    RouteCase(
        "service-list",
        write_body=lambda salon: {"name": f"Balayage {next(_n)}", "duration_minutes": 90, "price": "80.00"},
        roles=MANAGER_WRITES,
    ),
    RouteCase(
        "service-detail",
        make_kwargs=lambda salon: {"pk": ServiceFactory(salon=salon).pk},
        write_body=lambda salon: {"price": "45.00", "buffer_after_minutes": 10},
        roles=MANAGER_WRITES,
    ),
    RouteCase("staff-list", make_kwargs=_no_kwargs, write_body=_staff_body, roles=MANAGER_WRITES),
    RouteCase(
        "staff-detail",
        make_kwargs=lambda salon: {"pk": _catalog(salon)["staff"].pk},
        write_body=lambda salon: {"name": "Renamed stylist"},
        roles=MANAGER_WRITES,
    ),
    RouteCase("time-off-list", write_body=_time_off_body, roles=MANAGER_WRITES),
    RouteCase(
        "time-off-detail",
        make_kwargs=lambda salon: {"pk": TimeOffFactory(salon=salon).pk},
        write_body=lambda salon: {"reason": "Training"},
        roles=MANAGER_WRITES,
    ),
    RouteCase("availability", make_kwargs=_no_kwargs),
    RouteCase("booking-list", make_kwargs=_no_kwargs, write_body=_booking_body),
    RouteCase(
        "booking-detail",
        make_kwargs=lambda salon: {"pk": _booking(salon).pk},
        write_body=lambda salon: {"notes": "Prefers the window seat"},
    ),
    RouteCase(
        "booking-reschedule",
        make_kwargs=lambda salon: {"pk": _booking(salon).pk},
        write_body=lambda salon: {"starts_at": _local(salon, 4, 11).isoformat()},
    ),
    RouteCase(
        "booking-cancel",
        make_kwargs=lambda salon: {"pk": _booking(salon).pk},
        write_body=lambda salon: {"reason": "Customer asked"},
    ),
    RouteCase("booking-confirm", make_kwargs=lambda salon: {"pk": _booking(salon).pk}),
    RouteCase("booking-complete", make_kwargs=lambda salon: {"pk": _started_booking(salon).pk}),
    RouteCase("booking-no-show", make_kwargs=lambda salon: {"pk": _started_booking(salon).pk}),
    RouteCase("customer-bookings", make_kwargs=lambda salon: {"customer_pk": _booking(salon).customer_id}),
]

# Rows for the admin isolation test: one tenant-owned row of the model in ``salon``.
ADMIN_FACTORIES = {
    Service: lambda salon: ServiceFactory(salon=salon),
    StaffMember: lambda salon: _catalog(salon)["staff"],
    TimeOff: lambda salon: TimeOffFactory(salon=salon),
    Booking: _booking,
}
