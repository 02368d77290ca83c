"""Demo data for a salon: services, four staff members with weekly hours, customers and five weeks of bookings.

Idempotent: services, staff and customers are matched by name/phone; bookings are only generated for a salon that
has none. Bookings go through the services (past ones are booked "as of" two days before, then completed).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from bookings import services
from bookings.errors import BookingConflict, BookingInvalid
from bookings.models import Booking, BookingSource, Service, StaffMember, StaffService, WorkingHours
from salons.models import Customer, Salon

SERVICES = [
    # name, category, minutes, price, buffer after
    ("Haircut", "Hair", 45, "35.00", 10),
    ("Haircut & blow-dry", "Hair", 60, "48.00", 10),
    ("Colour", "Colour", 90, "75.00", 15),
    ("Highlights", "Colour", 120, "110.00", 15),
    ("Beard trim", "Barber", 20, "15.00", 5),
    ("Manicure", "Nails", 45, "28.00", 5),
    ("Pedicure", "Nails", 60, "35.00", 5),
]

# name, services, weekly ranges per weekday (0 = Monday)
TUE_SAT_SPLIT = {d: [(time(9), time(13)), (time(14), time(18))] for d in (1, 2, 3, 4, 5)}
MON_FRI_LONG = {d: [(time(10), time(19))] for d in (0, 1, 2, 3, 4)}
STAFF = [
    ("Anna", ["Haircut", "Haircut & blow-dry", "Colour", "Highlights"], TUE_SAT_SPLIT),
    ("Ben", ["Haircut", "Beard trim", "Haircut & blow-dry"], MON_FRI_LONG),
    ("Carla", ["Manicure", "Pedicure"], TUE_SAT_SPLIT),
    ("Dario", ["Colour", "Highlights", "Haircut"], {d: [(time(12), time(20))] for d in (2, 3, 4, 5)}),
]

CUSTOMERS = [
    ("Lena Fischer", "+4915112340001"),
    ("Jonas Weber", "+4915112340002"),
    ("Mia Schneider", "+4915112340003"),
    ("Noah Becker", "+4915112340004"),
    ("Sofia Costa", "+351912340005"),
    ("Tiago Silva", "+351912340006"),
    ("Emma Wagner", "+4915112340007"),
    ("Lucas Hoffmann", "+4915112340008"),
    ("Inês Ferreira", "+351912340009"),
    ("Paul Richter", "+4915112340010"),
]

PAST_DAYS, FUTURE_DAYS = 14, 21


def seed(*, salon: Salon, stdout) -> None:
    """Create the demo catalog and bookings of ``salon`` (call inside its salon scope and a transaction)."""
    catalog = _services(salon)
    staff = _staff(salon, catalog)
    customers = _customers()
    if Booking.objects.exists():
        stdout.write(f"    bookings: {Booking.objects.count()} already there")
        return
    made = _bookings(salon, catalog, staff, customers)
    stdout.write(f"    bookings: {len(catalog)} services, {len(staff)} staff, {made} bookings")


def _services(salon: Salon) -> dict[str, Service]:
    catalog = {}
    for name, category, minutes, price, after in SERVICES:
        service, _ = Service.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "duration_minutes": minutes,
                "price": Decimal(price),
                "currency": salon.currency,
                "buffer_after_minutes": after,
            },
        )
        catalog[name] = service
    return catalog


def _staff(salon: Salon, catalog: dict[str, Service]) -> list[StaffMember]:
    members = []
    for name, offered, week in STAFF:
        member = StaffMember.objects.filter(name=name).first()
        if member is None:
            member = services.staff_create(
                salon=salon,
                name=name,
                services=[{"service": catalog[s]} for s in offered],
                working_hours=[
                    {"weekday": day, "start_time": start, "end_time": end}
                    for day, ranges in week.items()
                    for start, end in ranges
                ],
            )
        elif not WorkingHours.objects.filter(staff=member).exists():
            services.staff_update(
                staff=member,
                data={
                    "working_hours": [
                        {"weekday": d, "start_time": s, "end_time": e} for d, rs in week.items() for s, e in rs
                    ]
                },
            )
        members.append(member)
    return members


def _customers() -> list[Customer]:
    existing = list(Customer.objects.order_by("pk")[:10])
    if len(existing) >= 6:
        return existing
    for name, phone in CUSTOMERS:
        customer, _ = Customer.objects.get_or_create(phone=phone, defaults={"name": name, "wa_id": phone.lstrip("+")})
        existing.append(customer)
    return existing


def _bookings(salon: Salon, catalog: dict[str, Service], staff: list[StaffMember], customers: list) -> int:
    rng = random.Random(salon.slug)
    tz = salon.tz
    now = timezone.now()
    today = now.astimezone(tz).date()
    offered: dict[int, list[Service]] = {member.pk: [] for member in staff}
    for link in StaffService.objects.filter(staff__in=staff).select_related("service"):
        offered[link.staff_id].append(link.service)
    made = 0
    for offset in range(-PAST_DAYS, FUTURE_DAYS):
        day = today + timedelta(days=offset)
        for member in staff:
            for _ in range(rng.randint(1, 4)):
                service = rng.choice(offered[member.pk])
                starts_at = datetime.combine(day, time(rng.randint(9, 18), rng.choice((0, 30))), tzinfo=tz)
                past = starts_at < now
                try:
                    booking = services.booking_create(
                        salon=salon,
                        customer=rng.choice(customers),
                        service=service,
                        staff=member,
                        starts_at=starts_at,
                        source=rng.choice([BookingSource.WHATSAPP, BookingSource.ASSISTANT, BookingSource.ADMIN]),
                        now=starts_at - timedelta(days=2) if past else now,
                        notify=False,
                    )
                except (BookingConflict, BookingInvalid):
                    continue  # outside the member's hours or taken: the demo just has fewer bookings that day
                made += 1
                _settle(rng, booking, past=past, starts_at=starts_at)
    return made


def _settle(rng: random.Random, booking: Booking, *, past: bool, starts_at: datetime) -> None:
    """Past bookings end completed (mostly), no-show or cancelled; some future ones are confirmed or cancelled."""
    roll = rng.random()
    before = starts_at - timedelta(days=1, hours=1)
    if past:
        if roll < 0.08:
            services.booking_cancel(booking=booking, reason="Demo: customer cancelled", now=before)
        elif roll < 0.14:
            services.booking_mark_no_show(booking=booking, now=starts_at + timedelta(minutes=20))
        else:
            services.booking_complete(booking=booking, now=booking.ends_at)
    elif roll < 0.5:
        services.booking_confirm(booking=booking)
    elif roll < 0.55:
        services.booking_cancel(booking=booking, reason="Demo: plans changed", override_policy=True)
