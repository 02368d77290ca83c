"""What bookings shows on a customer's page: upcoming and past bookings, visits, spend (per currency), no-shows, and
"Book again" (the last booking's service and staff member at their next free slot)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bookings.availability import available_slots
from bookings.models import Booking, BookingStatus, StaffService
from salons.backoffice.dates import SHORT_YEAR, wall
from salons.backoffice.panels import customer_panel

SEARCH_DAYS = 30
SHOWN = 8


def customer_numbers(customer) -> dict:
    """Visits (completed), spend per currency (completed), no-shows and cancellations: two queries."""
    rows = Booking.objects.filter(customer=customer)
    counts = rows.aggregate(
        visits=Count("pk", filter=Q(status=BookingStatus.COMPLETED)),
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        total=Count("pk"),
    )
    spend = (
        rows.filter(status=BookingStatus.COMPLETED)
        .values("currency")
        .annotate(amount=Sum("price"))
        .order_by("currency")
    )
    counts["spend"] = [(row["amount"] or Decimal("0"), row["currency"]) for row in spend]
    return counts


def next_free_slot(customer, *, now=None):
    """The last booking's service with the same staff member (anyone who offers it if they no longer do) at the
    next free start, or None."""
    last = Booking.objects.filter(customer=customer).select_related("service", "staff").order_by("-starts_at").first()
    if last is None or not last.service.is_active:
        return None
    now = now or timezone.now()
    salon = customer.salon
    staff = last.staff
    offers = StaffService.objects.filter(staff=staff, service=last.service, staff__is_active=True).exists()
    today = now.astimezone(salon.tz).date()
    slots = available_slots(
        salon=salon,
        service=last.service,
        staff=staff if offers else None,
        start_date=today,
        end_date=today + timedelta(days=SEARCH_DAYS),
        now=now,
    )
    if not slots:
        return None
    return {"booking": last, "slot": slots[0]}


def _row(booking, tz) -> dict:
    local = booking.starts_at.astimezone(tz)
    return {
        "booking": booking,
        "when": wall(local, fmt=SHORT_YEAR),
        "url": reverse("admin:bookings_booking_change", args=[booking.pk]),
    }


@customer_panel(order=10)
def bookings_panel(request, customer) -> str:
    tz = customer.salon.tz
    now = timezone.now()
    rows = Booking.objects.filter(customer=customer).select_related("service", "staff")
    upcoming = list(rows.filter(starts_at__gte=now).order_by("starts_at")[:SHOWN])
    past = list(rows.filter(starts_at__lt=now).order_by("-starts_at")[:SHOWN])
    again = next_free_slot(customer, now=now)
    book_again_url = ""
    if again is not None:
        slot, last = again["slot"], again["booking"]
        local = slot.starts_at.astimezone(tz)
        book_again_url = (
            f"{reverse('admin:bookings_booking_book')}?salon={customer.salon_id}&customer={customer.pk}"
            f"&service={last.service_id}&staff={slot.staff_id}&date={local.date().isoformat()}&at={local:%H:%M}"
        )
        again = {"service": last.service.name, "staff": slot.staff_id, "when": wall(local)}
        again["staff_name"] = last.staff.name if slot.staff_id == last.staff_id else ""
    context = {
        "numbers": customer_numbers(customer),
        "currency": customer.salon.currency,
        "upcoming": [_row(b, tz) for b in upcoming],
        "past": [_row(b, tz) for b in past],
        "again": again,
        "book_again_url": book_again_url,
        "book_url": f"{reverse('admin:bookings_booking_book')}?salon={customer.salon_id}&customer={customer.pk}",
        "history_url": f"{reverse('admin:bookings_booking_changelist')}?customer__id__exact={customer.pk}",
    }
    return render_to_string("admin/bookings/backoffice/customer_panel.html", context, request=request)
