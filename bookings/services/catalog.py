"""The salon's catalog: services, staff members with the services they offer and their weekly hours, time off."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from bookings.models import Service, StaffMember, StaffService, TimeOff, WorkingHours
from config.api import Conflict, DomainError
from salons.models import Membership, Salon, User
from salons.tenancy import salon_scope


def _protected_delete(obj: Any, what: str) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError:
        raise Conflict(f"This {what} has bookings: deactivate it instead of deleting it.") from None


@transaction.atomic
def service_create(*, salon: Salon, **data: Any) -> Service:
    with salon_scope(salon):
        data.setdefault("currency", salon.currency)
        service = Service(**data)
        service.full_clean(exclude=["salon"], validate_unique=False)
        service.save()
        return service


@transaction.atomic
def service_update(*, service: Service, data: dict) -> Service:
    with salon_scope(service.salon):
        for name, value in data.items():
            setattr(service, name, value)
        service.full_clean(exclude=["salon"], validate_unique=False)
        service.save()
        return service


@transaction.atomic
def service_delete(*, service: Service) -> None:
    with salon_scope(service.salon):
        _protected_delete(service, "service")


def _check_working_hours(ranges: list[dict]) -> None:
    by_day: dict[int, list[tuple]] = {}
    for item in ranges:
        if item["start_time"] >= item["end_time"]:
            raise DomainError("Each range must end after it starts.", field="working_hours")
        by_day.setdefault(item["weekday"], []).append((item["start_time"], item["end_time"]))
    for day_ranges in by_day.values():
        day_ranges.sort()
        for (_s1, e1), (s2, _e2) in pairwise(day_ranges):
            if s2 < e1:
                raise DomainError("Working hours of one day may not overlap.", field="working_hours")


def _set_staff_services(staff: StaffMember, offers: list[dict]) -> None:
    wanted = {offer["service"].pk: offer for offer in offers}
    StaffService.objects.filter(staff=staff).exclude(service_id__in=wanted).delete()
    existing = {link.service_id: link for link in StaffService.objects.filter(staff=staff)}
    for service_id, offer in wanted.items():
        link = existing.get(service_id) or StaffService(staff=staff, service=offer["service"])
        link.duration_minutes = offer.get("duration_minutes")
        link.price = offer.get("price")
        link.save()


def _set_working_hours(staff: StaffMember, ranges: list[dict]) -> None:
    _check_working_hours(ranges)
    WorkingHours.objects.filter(staff=staff).delete()
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                salon=staff.salon, staff=staff, weekday=r["weekday"], start_time=r["start_time"], end_time=r["end_time"]
            )
            for r in ranges
        ]
    )


def _check_staff_user(user: User | None) -> None:
    """Inside the salon's scope: the user must be one of its members."""
    if user is not None and not Membership.objects.filter(user=user).exists():
        raise DomainError("Only a member of this salon can be linked to a staff member.", field="user")


@transaction.atomic
def staff_create(
    *,
    salon: Salon,
    name: str,
    user: User | None = None,
    is_active: bool = True,
    services: list[dict] | None = None,
    working_hours: list[dict] | None = None,
) -> StaffMember:
    """A staff member with the services they offer ({service, duration_minutes?, price?}) and weekly hours."""
    with salon_scope(salon):
        _check_staff_user(user)
        staff = StaffMember.objects.create(name=name, user=user, is_active=is_active)
        _set_staff_services(staff, services or [])
        _set_working_hours(staff, working_hours or [])
        return staff


@transaction.atomic
def staff_update(*, staff: StaffMember, data: dict) -> StaffMember:
    """Change fields; ``services`` and ``working_hours``, when given, replace the whole set."""
    with salon_scope(staff.salon):
        data = dict(data)
        services, working_hours = data.pop("services", None), data.pop("working_hours", None)
        if "user" in data:
            _check_staff_user(data["user"])
        for name, value in data.items():
            setattr(staff, name, value)
        staff.save()
        if services is not None:
            _set_staff_services(staff, services)
        if working_hours is not None:
            _set_working_hours(staff, working_hours)
        return staff


@transaction.atomic
def staff_delete(*, staff: StaffMember) -> None:
    with salon_scope(staff.salon):
        _protected_delete(staff, "staff member")


def _check_time_off(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError("Time off must end after it starts.", field="ends_at")


@transaction.atomic
def time_off_create(
    *, salon: Salon, starts_at: datetime, ends_at: datetime, staff: StaffMember | None = None, reason: str = ""
) -> TimeOff:
    """Block time for one staff member, or (staff None) for the whole salon. Existing bookings are kept."""
    with salon_scope(salon):
        _check_time_off(starts_at, ends_at)
        return TimeOff.objects.create(staff=staff, starts_at=starts_at, ends_at=ends_at, reason=reason)


@transaction.atomic
def time_off_update(*, time_off: TimeOff, data: dict) -> TimeOff:
    with salon_scope(time_off.salon):
        for name, value in data.items():
            setattr(time_off, name, value)
        _check_time_off(time_off.starts_at, time_off.ends_at)
        time_off.save()
        return time_off


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    with salon_scope(time_off.salon):
        time_off.delete()
