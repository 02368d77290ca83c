"""The bookings list page (built from selected values) answers exactly what the output serializer answers."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_the_page_count_joins_nothing_and_pages_still_follow_each_other(owner_client, salon):
    """The page and its count (issue 20): the count reads the bookings table alone, whatever columns the page shows
    from the customer, service and staff; a page past the end is still DRF's 404, page 2 still follows page 1."""
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=30)
    staff = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(18))])
    day = timezone.now().astimezone(salon.tz).date() + timedelta(days=3)
    for i in range(5):
        booking_for(salon, service=service, staff=staff, starts_at=datetime.combine(day, time(9 + i), tzinfo=salon.tz))
    url = reverse("booking-list", kwargs={"salon_id": salon.pk})
    owner_client.get(url)  # the session and the salon's caches are warm from here on
    with CaptureQueriesContext(connection) as captured:
        first = owner_client.get(url, {"page_size": 3})
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1 and "JOIN" not in counts[0]
    assert first.json()["count"] == 5 and len(first.json()["results"]) == 3
    second = owner_client.get(url, {"page_size": 3, "page": 2}).json()
    everything = owner_client.get(url).json()["results"]
    assert [r["id"] for r in first.json()["results"] + second["results"]] == [r["id"] for r in everything]
    assert second["next"] is None
    assert owner_client.get(url, {"page_size": 3, "page": 3}).status_code == 404


def test_a_named_filter_still_validates_and_filters(owner_client, salon):
    url = reverse("booking-list", kwargs={"salon_id": salon.pk})
    bad = owner_client.get(url, {"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()
    assert owner_client.get(url, {"status": "confirmed", "unrelated": "x"}).status_code == 200


def test_timestamps_are_the_same_whatever_the_sessions_time_zone(owner_client, salon, owner):
    """The page reads its timestamps as UTC text (``IsoText``): a session in another zone, even one whose offset has
    seconds in the past (Amsterdam's local mean time), changes nothing, microseconds included."""
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    staff = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(18))])
    day = timezone.now().astimezone(salon.tz).date() + timedelta(days=2)
    starts_at = datetime.combine(day, time(10), tzinfo=salon.tz)
    booking = booking_for(salon, service=service, staff=staff, starts_at=starts_at)
    with salon_scope(salon):
        Booking.objects.filter(pk=booking.pk).update(created_at=datetime(1890, 1, 1, 10, 0, 0, 123456, tzinfo=UTC))
        expected = BookingOutputSerializer(Booking.objects.select_related("customer", "service", "staff"), many=True)
        expected = [dict(row) for row in expected.data]
    url = reverse("booking-list", kwargs={"salon_id": salon.pk})
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Amsterdam'")
    try:
        answered = owner_client.get(url).json()["results"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert answered == expected
    assert answered[0]["created_at"] == "1890-01-01T10:00:00.123456Z"
