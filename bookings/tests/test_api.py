"""REST API of bookings: create 201/409/400, actions, filters, availability, staff with hours, constant queries."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingEvent, StaffMember, WorkingHours
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def local(salon, days, hour, minute=0):
    today = timezone.now().astimezone(salon.tz).date()
    return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=salon.tz)


@pytest.fixture
def catalog(salon):
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    staff = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(18))])
    return service, staff, CustomerFactory(salon=salon)


def url(name, salon, **kwargs):
    return reverse(name, kwargs={"salon_id": salon.pk, **kwargs})


def booking_body(customer, service, staff, starts_at) -> dict:
    return {"customer": customer.pk, "service": service.pk, "staff": staff.pk, "starts_at": starts_at.isoformat()}


def test_create_answers_201_with_the_booking_and_local_time(owner_client, salon, owner, catalog):
    service, staff, customer = catalog
    body = booking_body(customer, service, staff, local(salon, 2, 10))
    response = owner_client.post(url("booking-list", salon), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    booking = Booking.all_salons.get(pk=data["id"])
    assert (booking.salon_id, booking.source, booking.created_by) == (salon.pk, "api", owner)
    assert data["code"] == booking.code and data["status"] == "pending"
    assert data["starts_at_local"] == local(salon, 2, 10).isoformat()
    assert data["staff"] == {"id": staff.pk, "name": "Anna"}


def test_a_time_without_offset_is_the_salons_wall_clock(owner_client, salon, catalog):
    service, _staff, customer = catalog
    naive = local(salon, 2, 11).replace(tzinfo=None).isoformat()
    body = {"customer": customer.pk, "service": service.pk, "starts_at": naive}
    response = owner_client.post(url("booking-list", salon), body, format="json")
    assert response.status_code == 201, response.content
    assert Booking.all_salons.get().starts_at == local(salon, 2, 11)


def test_second_booking_for_same_slot_gets_409_and_alternatives(owner_client, salon, catalog):
    service, staff, customer = catalog
    booking_for(salon, service=service, staff=staff, starts_at=local(salon, 2, 10))
    body = booking_body(customer, service, staff, local(salon, 2, 10))
    response = owner_client.post(url("booking-list", salon), body, format="json")
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "booking_conflict"
    assert len(data["alternatives"]) == 3
    starts = [datetime.fromisoformat(a["starts_at"].replace("Z", "+00:00")) for a in data["alternatives"]]
    assert local(salon, 2, 10) not in starts
    assert all(a["staff_id"] == staff.pk for a in data["alternatives"])
    assert Booking.all_salons.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"hour": 20}, "starts_at"),
        ({"days": -1}, "starts_at"),
        ({"days": 400}, "starts_at"),
        ({"staff": "unqualified"}, "staff"),
        ({"customer": 999999}, "customer"),
    ],
)
def test_invalid_create_is_400_with_the_field(owner_client, salon, catalog, change, field):
    service, staff, customer = catalog
    body = {"customer": customer.pk, "service": service.pk, "staff": staff.pk}
    body["starts_at"] = local(salon, change.get("days", 2), change.get("hour", 10)).isoformat()
    if change.get("starts_at"):
        body["starts_at"] = change["starts_at"]
    if change.get("staff") == "unqualified":
        body["staff"] = staff_with_hours(salon, [ServiceFactory(salon=salon)]).pk
    if change.get("customer"):
        body["customer"] = change["customer"]
    response = owner_client.post(url("booking-list", salon), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Booking.all_salons.count() == 0


def test_actions_reschedule_confirm_cancel_complete_no_show(owner_client, salon, catalog):
    service, staff, customer = catalog
    booking = booking_for(salon, service=service, staff=staff, customer=customer, starts_at=local(salon, 3, 10))
    response = owner_client.post(
        url("booking-reschedule", salon, pk=booking.pk), {"starts_at": local(salon, 3, 14).isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["starts_at_local"] == local(salon, 3, 14).isoformat()
    assert owner_client.post(url("booking-confirm", salon, pk=booking.pk)).json()["status"] == "confirmed"
    response = owner_client.post(url("booking-complete", salon, pk=booking.pk))
    assert response.status_code == 400 and "status" in response.json()
    response = owner_client.post(url("booking-cancel", salon, pk=booking.pk), {"reason": "Moving away"}, format="json")
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation_reason"] == "Moving away"
    kinds = list(BookingEvent.all_salons.filter(booking=booking).values_list("kind", flat=True))
    assert kinds == ["created", "rescheduled", "confirmed", "cancelled"]


def test_late_cancel_needs_override_with_reason(owner_client, salon, catalog):
    service, staff, _customer = catalog
    salon.cancellation_notice_hours = 72
    salon.save()
    booking = booking_for(salon, service=service, staff=staff, starts_at=local(salon, 2, 10))
    cancel = url("booking-cancel", salon, pk=booking.pk)
    assert owner_client.post(cancel, {}, format="json").status_code == 400
    response = owner_client.post(cancel, {"override_policy": True}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = owner_client.post(cancel, {"override_policy": True, "reason": "Stylist ill"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_complete_and_no_show_after_the_start(owner_client, salon, catalog):
    service, staff, _customer = catalog
    starts = local(salon, -1, 10)
    done = booking_for(salon, service=service, staff=staff, starts_at=starts, now=starts - timedelta(days=1))
    missed = booking_for(salon, service=service, staff=staff, starts_at=starts + timedelta(hours=2), now=starts)
    assert owner_client.post(url("booking-complete", salon, pk=done.pk)).json()["status"] == "completed"
    assert owner_client.post(url("booking-no-show", salon, pk=missed.pk)).json()["status"] == "no_show"


def test_list_filters_by_local_dates_status_staff_and_customer(owner_client, salon, catalog):
    service, anna, customer = catalog
    ben = staff_with_hours(salon, [service], name="Ben", hours=[(time(9), time(18))])
    b1 = booking_for(salon, service=service, staff=anna, customer=customer, starts_at=local(salon, 2, 10))
    b2 = booking_for(salon, service=service, staff=ben, starts_at=local(salon, 2, 11))
    b3 = booking_for(salon, service=service, staff=anna, starts_at=local(salon, 3, 9))
    owner_client.post(url("booking-confirm", salon, pk=b3.pk))
    day2 = local(salon, 2, 0).date().isoformat()

    def ids(**query):
        response = owner_client.get(url("booking-list", salon), query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [b1.pk, b2.pk, b3.pk]
    assert ids(date_from=day2, date_to=day2) == [b1.pk, b2.pk]
    assert ids(status="confirmed") == [b3.pk]
    assert ids(status=["pending", "confirmed"], staff=anna.pk) == [b1.pk, b3.pk]
    assert ids(customer=customer.pk) == [b1.pk]
    assert ids(code=b2.code.lower()) == [b2.pk]


@pytest.mark.parametrize("rows", [5, 50])
def test_booking_list_costs_a_constant_number_of_queries(
    owner_client, salon, catalog, rows, django_assert_max_num_queries
):
    service, _staff, _customer = catalog
    for i in range(rows):
        staff = staff_with_hours(salon, [service], hours=[(time(8), time(20))])
        booking_for(salon, service=service, staff=staff, starts_at=local(salon, 1 + i % 5, 9 + i % 9))
    with django_assert_max_num_queries(7):
        response = owner_client.get(url("booking-list", salon), {"page_size": 100})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_staff_and_customer_history_lists_cost_constant_queries(
    owner_client, salon, rows, django_assert_max_num_queries
):
    service = ServiceFactory(salon=salon)
    customer = CustomerFactory(salon=salon)
    for i in range(rows):
        staff = staff_with_hours(salon, [service], hours=[(time(8), time(12)), (time(13), time(20))])
        booking_for(
            salon,
            service=service,
            staff=staff,
            customer=customer,
            starts_at=local(salon, 1 + i % 5, 9),
            allow_parallel=True,  # one customer, many staff at once: only the query count matters here
        )
    with django_assert_max_num_queries(8):
        response = owner_client.get(url("staff-list", salon), {"page_size": 100})
    assert len(response.json()["results"]) == rows
    with django_assert_max_num_queries(7):
        response = owner_client.get(url("customer-bookings", salon, customer_pk=customer.pk), {"page_size": 100})
    assert len(response.json()["results"]) == rows


def test_customer_history_of_another_salons_customer_is_404(owner_client, salon, other_salon):
    foreign = CustomerFactory(salon=other_salon)
    assert owner_client.get(url("customer-bookings", salon, customer_pk=foreign.pk)).status_code == 404


def test_availability_endpoint(owner_client, salon, catalog):
    service, staff, _customer = catalog
    ben = staff_with_hours(salon, [service], name="Ben", hours=[(time(9), time(12))])
    day = local(salon, 2, 0).date().isoformat()
    response = owner_client.get(url("availability", salon), {"service": service.pk, "from": day, "to": day})
    assert response.status_code == 200, response.content
    slots = response.json()
    first = slots[0]
    assert first["starts_at_local"] == local(salon, 2, 9).isoformat()
    assert first["staff_ids"] == [staff.pk, ben.pk]
    assert len({s["starts_at"] for s in slots}) == len(slots)
    response = owner_client.get(
        url("availability", salon), {"service": service.pk, "staff": ben.pk, "from": day, "to": day}
    )
    assert {s["staff_id"] for s in response.json()} == {ben.pk}
    assert owner_client.get(url("availability", salon), {"from": "soon"}).status_code == 400
    assert owner_client.get(url("availability", salon), {"from": day, "to": "2000-01-01"}).status_code == 400


def test_staff_are_created_with_services_and_working_hours_by_managers_only(owner_client, salon, make_member):
    from rest_framework.test import APIClient

    service = ServiceFactory(salon=salon)
    body = {
        "name": "Carla",
        "services": [{"service": service.pk, "price": "55.00"}],
        "working_hours": [
            {"weekday": 0, "start_time": "09:00", "end_time": "12:00"},
            {"weekday": 0, "start_time": "13:00", "end_time": "17:00"},
        ],
    }
    staff_client = APIClient()
    staff_client.force_authenticate(make_member(salon, Role.STAFF))
    assert staff_client.post(url("staff-list", salon), body, format="json").status_code == 403
    response = owner_client.post(url("staff-list", salon), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["services"][0]["price"] == "55.00"
    assert [h["start_time"] for h in data["working_hours"]] == ["09:00:00", "13:00:00"]
    overlapping = {
        "working_hours": [*body["working_hours"], {"weekday": 0, "start_time": "11:00", "end_time": "14:00"}]
    }
    response = owner_client.patch(url("staff-detail", salon, pk=data["id"]), overlapping, format="json")
    assert response.status_code == 400 and "working_hours" in response.json()
    response = owner_client.patch(url("staff-detail", salon, pk=data["id"]), {"working_hours": []}, format="json")
    assert response.status_code == 200
    assert not WorkingHours.all_salons.filter(staff_id=data["id"]).exists()


def test_deleting_a_service_or_staff_with_bookings_is_409(owner_client, salon, catalog):
    service, staff, _customer = catalog
    booking_for(salon, service=service, staff=staff, starts_at=local(salon, 2, 10))
    assert owner_client.delete(url("service-detail", salon, pk=service.pk)).status_code == 409
    assert owner_client.delete(url("staff-detail", salon, pk=staff.pk)).status_code == 409
    assert StaffMember.all_salons.filter(pk=staff.pk).exists()


def test_service_names_are_unique_per_salon(owner_client, salon):
    ServiceFactory(salon=salon, name="Manicure")
    body = {"name": "manicure", "duration_minutes": 30, "price": "20.00"}
    response = owner_client.post(url("service-list", salon), body, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = owner_client.post(url("service-list", salon), {**body, "name": "Pedicure"}, format="json")
    assert response.status_code == 201
    assert response.json()["currency"] == salon.currency


def test_time_off_blocks_availability(owner_client, salon, catalog):
    service, staff, _customer = catalog
    body = {"staff": staff.pk, "starts_at": local(salon, 2, 0).isoformat(), "ends_at": local(salon, 3, 0).isoformat()}
    assert owner_client.post(url("time-off-list", salon), body, format="json").status_code == 201
    day = local(salon, 2, 0).date().isoformat()
    response = owner_client.get(url("availability", salon), {"service": service.pk, "from": day, "to": day})
    assert response.json() == []
