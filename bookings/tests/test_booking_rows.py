"""The bookings list page (built from selected values) answers exactly what the output serializer answers."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.api.bookings import BookingOutputSerializer
from bookings.models import Booking
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


def test_the_list_page_is_the_serializers_output_field_for_field(owner_client, salon, owner):
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    staff = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(18))])
    today = timezone.now().astimezone(salon.tz).date()
    made = [
        booking_for(
            salon,
            service=service,
            staff=staff,
            starts_at=datetime.combine(today + timedelta(days=2), time(9 + i), tzinfo=salon.tz),
            notes=f"note {i}",
        )
        for i in range(3)
    ]
    services.booking_cancel(booking=made[1], actor=owner, source="api", reason="sick")

    response = owner_client.get(reverse("booking-list", kwargs={"salon_id": salon.pk}))

    assert response.status_code == 200
    with salon_scope(salon):
        expected = BookingOutputSerializer(
            Booking.objects.select_related("customer", "service", "staff").order_by("starts_at", "pk"), many=True
        ).data
    assert response.json()["results"] == [dict(row) for row in expected]
    assert {row["status"] for row in response.json()["results"]} >= {"cancelled"}
