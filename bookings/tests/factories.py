"""Factories for services, staff, schedules and bookings (bookings written through the service layer)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from bookings.models import Service, StaffMember, StaffService, TimeOff, WorkingHours
from salons.tests.factories import CustomerFactory, SalonFactory, TenantFactory


class ServiceFactory(TenantFactory):
    class Meta:
        model = Service

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 60
    price = Decimal("40.00")
    currency = factory.LazyAttribute(lambda o: o.salon.currency)


class StaffMemberFactory(TenantFactory):
    class Meta:
        model = StaffMember

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"Stylist {n:03d}")


class StaffServiceFactory(TenantFactory):
    class Meta:
        model = StaffService

    salon = factory.SubFactory(SalonFactory)
    staff = factory.SubFactory(StaffMemberFactory, salon=factory.SelfAttribute("..salon"))
    service = factory.SubFactory(ServiceFactory, salon=factory.SelfAttribute("..salon"))


class WorkingHoursFactory(TenantFactory):
    class Meta:
        model = WorkingHours

    salon = factory.SubFactory(SalonFactory)
    staff = factory.SubFactory(StaffMemberFactory, salon=factory.SelfAttribute("..salon"))
    weekday = 0
    start_time = time(9)
    end_time = time(17)


class TimeOffFactory(TenantFactory):
    class Meta:
        model = TimeOff

    salon = factory.SubFactory(SalonFactory)
    staff = None
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    reason = "Closed"


def staff_with_hours(
    salon, services, *, name=None, hours=((time(9), time(17)),), weekdays=range(7), **service_overrides
) -> StaffMember:
    """A staff member of ``salon`` doing ``services``, working ``hours`` (local ranges) on ``weekdays``."""
    staff = StaffMemberFactory(salon=salon, **({"name": name} if name else {}))
    for service in services:
        StaffServiceFactory(salon=salon, staff=staff, service=service, **service_overrides)
    for weekday in weekdays:
        for start, end in hours:
            WorkingHoursFactory(salon=salon, staff=staff, weekday=weekday, start_time=start, end_time=end)
    return staff


def booking_for(salon, *, service, staff=None, starts_at, customer=None, source="admin", now=None, **kwargs):
    """A booking made through ``booking_create`` (the only way bookings are written)."""
    from bookings.services import booking_create

    return booking_create(
        salon=salon,
        customer=customer or CustomerFactory(salon=salon),
        service=service,
        staff=staff,
        starts_at=starts_at,
        source=source,
        now=now,
        **kwargs,
    )


__all__ = [
    "CustomerFactory",
    "SalonFactory",
    "ServiceFactory",
    "StaffMemberFactory",
    "StaffServiceFactory",
    "TimeOffFactory",
    "WorkingHoursFactory",
    "booking_for",
    "staff_with_hours",
]
