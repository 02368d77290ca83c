"""Input a client can send that used to answer 500: each is now a 4xx with a JSON body that says what is wrong.

One test per server error found by fuzzing the schema (issue 12, item 7), through the real URLs as an owner.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, StaffMember, WorkingHours
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from messaging.models import Message, MessageTemplate
from messaging.tests.factories import ConversationFactory, MessageFactory, MessageTemplateFactory
from salons.models import Customer
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def url(name, salon, **kwargs):
    return reverse(name, kwargs={"salon_id": salon.pk, **kwargs})


def deeply_nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.fixture
def catalog(salon):
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    staff = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(18))])
    return service, staff, CustomerFactory(salon=salon)


def tomorrow_at(salon, hour: int) -> datetime:
    day = timezone.now().astimezone(salon.tz).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=salon.tz)


# --- JSON bodies: nesting, NUL, lone surrogates (the parser of the whole API) ---------------------------------------
@pytest.mark.parametrize("route", ["auth-token", "auth-token-refresh", "auth-logout"])
def test_json_nested_a_thousand_levels_deep_is_a_400_even_without_login(api_client, route):
    response = api_client.generic("POST", reverse(route), deeply_nested(1000).encode(), content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["detail"]


def test_json_nested_deeply_to_a_tenant_route_is_a_400_and_creates_nothing(owner_client, salon):
    body = '{"phone": "+4915112345678", "name": ' + deeply_nested(200) + "}"
    response = owner_client.generic("POST", url("customer-list", salon), body.encode(), content_type="application/json")
    assert response.status_code == 400 and "nested deeper" in response.json()["detail"]
    assert not Customer.all_salons.filter(salon=salon).exists()


@pytest.mark.parametrize("text", ["Hi \\u0000 there", "Hi \\ud800 there"], ids=["nul", "lone-surrogate"])
def test_template_text_with_nul_or_a_lone_surrogate_is_a_400(owner_client, salon, text):
    body = (
        '{"name": "promo", "language": "en", "category": "MARKETING", '
        '"components": [{"type": "BODY", "text": "' + text + '"}]}'
    )
    response = owner_client.generic("POST", url("template-list", salon), body.encode(), content_type="application/json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    assert not MessageTemplate.all_salons.filter(salon=salon, name="promo").exists()


def test_multipart_bodies_are_refused_so_nested_fields_cannot_be_dropped(owner_client, salon, catalog):
    service, _staff, _customer = catalog
    response = owner_client.post(
        url("staff-list", salon), {"name": "Multipart", "services": [service.pk]}, format="multipart"
    )
    assert response.status_code == 415
    assert "detail" in response.json()
    assert not StaffMember.all_salons.filter(salon=salon, name="Multipart").exists()


# --- customers, staff ---------------------------------------------------------------------------------------------
def test_deleting_a_customer_with_bookings_is_a_409_and_keeps_them(owner_client, salon, catalog):
    service, staff, customer = catalog
    booking_for(salon, service=service, staff=staff, customer=customer, starts_at=tomorrow_at(salon, 10))
    response = owner_client.delete(url("customer-detail", salon, pk=customer.pk))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and "bookings" in response.json()["detail"]
    assert Customer.all_salons.filter(pk=customer.pk).exists()


def test_staff_patch_with_an_incomplete_working_hours_item_is_a_400_and_keeps_the_week(owner_client, salon, catalog):
    _service, staff, _customer = catalog
    before = WorkingHours.all_salons.filter(staff=staff).count()
    response = owner_client.patch(
        url("staff-detail", salon, pk=staff.pk), {"working_hours": [{"weekday": 0, "end_time": "12:00"}]}
    )
    assert response.status_code == 400
    assert response.json()["working_hours"]["0"]["start_time"] == ["This field is required."]
    assert WorkingHours.all_salons.filter(staff=staff).count() == before


def test_staff_patch_with_an_empty_service_item_is_a_400(owner_client, salon, catalog):
    _service, staff, _customer = catalog
    response = owner_client.patch(url("staff-detail", salon, pk=staff.pk), {"services": [{}]})
    assert response.status_code == 400
    assert response.json()["services"]["0"]["service"] == ["This field is required."]


def test_staff_patch_of_only_the_name_keeps_services_hours_and_active_flag(owner_client, salon, catalog):
    service, staff, _customer = catalog
    StaffMember.all_salons.filter(pk=staff.pk).update(is_active=False)
    response = owner_client.patch(url("staff-detail", salon, pk=staff.pk), {"name": "Anna B."})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Anna B." and body["is_active"] is False
    assert [s["service"] for s in body["services"]] == [service.pk] and body["working_hours"]


# --- messages and templates: filters and interactive payloads ------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"conversation": "abc"},
        {"status": "sent\x00"},
        {"direction": "\x00"},
        {"type": "text\x00"},
    ],
    ids=["conversation-abc", "status-nul", "direction-nul", "type-nul"],
)
def test_bad_message_filters_are_400s(owner_client, salon, params):
    MessageFactory(salon=salon)
    response = owner_client.get(url("message-list", salon), params)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")


def test_message_filters_still_filter(owner_client, salon):
    conversation = ConversationFactory(salon=salon)
    mine = MessageFactory(salon=salon, conversation=conversation)
    MessageFactory(salon=salon)
    response = owner_client.get(url("message-list", salon), {"conversation": conversation.pk, "status": "sent"})
    assert [m["id"] for m in response.json()["results"]] == [mine.pk]


def test_template_status_filter_with_nul_is_a_400_and_a_valid_one_filters(owner_client, salon):
    MessageTemplateFactory(salon=salon, status="APPROVED")
    MessageTemplateFactory(salon=salon, status="REJECTED")
    assert owner_client.get(url("template-list", salon), {"status": "APPROVED\x00"}).status_code == 400
    response = owner_client.get(url("template-list", salon), {"status": "REJECTED"})
    assert [t["status"] for t in response.json()["results"]] == ["REJECTED"]


@pytest.mark.parametrize(
    "interactive",
    [
        {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [1, 2]}},
        {"type": "button", "body": "Pick", "action": {"buttons": []}},
        {"type": "button", "body": {"text": "Pick"}, "action": [1]},
        {"type": "list", "body": {"text": "Pick"}, "action": {"button": "Menu", "sections": [{"rows": [7]}]}},
        {"type": "list", "body": {"text": "Pick"}, "action": {"button": "Menu", "sections": "x"}},
    ],
    ids=["buttons-are-numbers", "body-is-text", "action-is-a-list", "row-is-a-number", "sections-is-text"],
)
def test_malformed_interactive_messages_are_400s(owner_client, salon, interactive):
    customer = ConversationFactory(salon=salon, window_open=True).customer
    response = owner_client.post(
        url("message-list", salon), {"customer": customer.pk, "type": "interactive", "interactive": interactive}
    )
    assert response.status_code == 400, response.content
    assert not Message.all_salons.filter(salon=salon, customer=customer).exists()


# --- dates at the ends of the calendar -----------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_availability_at_year_1_or_9999_is_a_400(owner_client, salon, catalog, day):
    service, _staff, _customer = catalog
    for params in ({"from": day}, {"from": day, "to": day}, {"to": day}):
        response = owner_client.get(url("availability", salon), {"service": service.pk, **params})
        assert response.status_code == 400, (params, response.content)


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"starts_after": "0001-01-01T00:00:00+14:00"},
        {"starts_before": "9999-12-31T23:59:59-12:00"},
    ],
)
def test_booking_filters_at_the_ends_of_the_calendar_are_400s(owner_client, salon, params):
    response = owner_client.get(url("booking-list", salon), params)
    assert response.status_code == 400, response.content
    assert "1900-01-01" in str(response.json())


@pytest.mark.parametrize("params", [{"start": "0001-01-01"}, {"end": "0001-01-01"}, {"end": "9999-12-31"}])
def test_whatsapp_costs_at_the_ends_of_the_calendar_are_400s(owner_client, salon, params):
    assert owner_client.get(url("whatsapp-cost-summary", salon), params).status_code == 400


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "9999-12-31T23:00:00-05:00"])
def test_time_off_and_bookings_at_the_ends_of_the_calendar_are_400s(owner_client, salon, catalog, value):
    service, staff, customer = catalog
    response = owner_client.post(url("time-off-list", salon), {"starts_at": value, "ends_at": value})
    assert response.status_code == 400, response.content
    response = owner_client.post(
        url("booking-list", salon),
        {"customer": customer.pk, "service": service.pk, "staff": staff.pk, "starts_at": value},
    )
    assert response.status_code == 400, response.content
    assert not Booking.all_salons.filter(salon=salon).exists()


# --- every error under /api/ is JSON ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/salons/not-a-uuid/bookings/",
        "/api/v1/salons/12345/",
        "/api/v1/nothing-here/",
        "/api/nothing-here",
    ],
)
def test_unknown_api_urls_answer_json_404s(owner_client, path):
    response = owner_client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_nul_in_any_api_query_parameter_is_a_json_400(owner_client, salon):
    response = owner_client.get(url("customer-list", salon), {"search": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"search": ["NUL characters (\\u0000) are not allowed."]}


def test_errors_outside_the_api_are_left_alone(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response.headers["Content-Type"].startswith("application/json")
