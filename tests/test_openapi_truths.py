"""The OpenAPI schema says what the API really does (issue 12, item 8), the docs work offline, and the booking
routes' 409, notes and parallel-services behaviour."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from config.openapi import LOCAL_TIME_PATTERN
from messaging.tests.factories import ConversationFactory, MessageFactory
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TENANT = "/api/v1/salons/{salon_id}/"


@pytest.fixture
def spec(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _ref(spec, ref: str) -> dict:
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _json_body(operation: dict) -> dict:
    return operation["requestBody"]["content"]["application/json"]["schema"]


def _param_names(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", [])}


def test_conversation_messages_are_declared_as_a_page_of_messages(spec):
    operation = spec["paths"][TENANT + "conversations/{id}/messages/"]["get"]
    page = _ref(spec, operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"])
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["items"]["$ref"].endswith("/MessageOutput")
    assert {"page", "page_size"} <= _param_names(operation)


def test_staff_user_is_nullable_and_working_hours_are_local_times(spec):
    staff = spec["components"]["schemas"]["StaffOutput"]["properties"]
    assert staff["user"].get("nullable") is True or {"type": "null"} in staff["user"].get("anyOf", [])
    hours = spec["components"]["schemas"]["WorkingHours"]["properties"]
    assert "format" not in hours["start_time"] and hours["start_time"]["pattern"] == LOCAL_TIME_PATTERN
    assert re.match(LOCAL_TIME_PATTERN, "09:00:00") and re.match(LOCAL_TIME_PATTERN, "09:00")
    assert not re.match(LOCAL_TIME_PATTERN, "24:00") and not re.match(LOCAL_TIME_PATTERN, "09:00:00Z")


def test_message_and_template_writes_declare_their_real_request_bodies(spec):
    send = _ref(spec, _json_body(spec["paths"][TENANT + "messages/"]["post"])["$ref"])
    assert {"customer", "type", "text", "interactive", "template_name"} <= set(send["properties"])
    assert set(send["required"]) == {"customer", "type"}
    create = _ref(spec, _json_body(spec["paths"][TENANT + "templates/"]["post"])["$ref"])
    assert set(create["required"]) == {"name", "language", "category", "components"}
    update = _ref(spec, _json_body(spec["paths"][TENANT + "templates/{id}/"]["patch"])["$ref"])
    assert set(update["properties"]) == {"category", "components"}


def test_the_api_declares_json_request_bodies_only(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}, (method, path)


def test_query_parameters_of_messages_templates_and_conversations_are_documented(spec):
    messages = _param_names(spec["paths"][TENANT + "messages/"]["get"])
    assert {"status", "direction", "type", "conversation"} <= messages
    assert "status" in _param_names(spec["paths"][TENANT + "templates/"]["get"])
    assert "window" in _param_names(spec["paths"][TENANT + "conversations/"]["get"])


def test_booking_routes_declare_the_409_notes_patch_and_allow_parallel(spec):
    create = spec["paths"][TENANT + "bookings/"]["post"]
    conflict = _ref(spec, create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"])
    alternative = _ref(spec, conflict["properties"]["alternatives"]["items"]["$ref"])
    assert "starts_at_local" in alternative["required"]
    assert "allow_parallel" in _ref(spec, _json_body(create)["$ref"])["properties"]
    patch = spec["paths"][TENANT + "bookings/{id}/"]["patch"]
    assert set(_ref(spec, _json_body(patch)["$ref"])["properties"]) == {"notes"}


def test_swagger_ui_assets_are_served_by_the_project(client):
    page = client.get(reverse("api-docs")).content.decode()
    assert "cdn" not in page.lower()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert any("swagger-ui" in asset for asset in assets), page
    from django.contrib.staticfiles import finders

    for asset in assets:
        assert finders.find(asset.removeprefix("/static/").split("?")[0]), asset


# --- the booking routes' behaviour behind those declarations ------------------------------------------------------
def _local(salon, days: int, hour: int) -> datetime:
    day = timezone.now().astimezone(salon.tz).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=salon.tz)


@pytest.fixture
def catalog(salon):
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    anna = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(18))])
    ben = staff_with_hours(salon, [service], name="Ben", hours=[(time(9), time(18))])
    return service, anna, ben, CustomerFactory(salon=salon)


def _url(name, salon, **kwargs):
    return reverse(name, kwargs={"salon_id": salon.pk, **kwargs})


def test_a_409_names_each_alternative_in_the_salons_wall_clock_time(owner_client, salon, catalog):
    service, anna, _ben, customer = catalog
    booking_for(salon, service=service, staff=anna, starts_at=_local(salon, 2, 10))
    response = owner_client.post(
        _url("booking-list", salon),
        {
            "customer": customer.pk,
            "service": service.pk,
            "staff": anna.pk,
            "starts_at": _local(salon, 2, 10).isoformat(),
        },
    )
    assert response.status_code == 409
    alternatives = response.json()["alternatives"]
    assert alternatives
    for alternative in alternatives:
        utc = datetime.fromisoformat(alternative["starts_at"].replace("Z", "+00:00"))
        assert alternative["starts_at_local"] == utc.astimezone(salon.tz).isoformat()


def test_booking_notes_are_edited_by_patch_through_the_service(owner_client, salon, catalog):
    service, anna, _ben, customer = catalog
    booking = booking_for(salon, service=service, staff=anna, customer=customer, starts_at=_local(salon, 2, 10))
    response = owner_client.patch(_url("booking-detail", salon, pk=booking.pk), {"notes": "Allergic to latex"})
    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "Allergic to latex"
    assert Booking.all_salons.get(pk=booking.pk).notes == "Allergic to latex"
    # Only notes: other fields in the body are not applied.
    response = owner_client.patch(_url("booking-detail", salon, pk=booking.pk), {"status": "cancelled"})
    assert response.status_code == 400 and Booking.all_salons.get(pk=booking.pk).status == "pending"


def test_the_api_books_a_customer_with_two_staff_at_once_only_as_parallel_services(owner_client, salon, catalog):
    service, anna, ben, customer = catalog
    body = {"customer": customer.pk, "service": service.pk, "starts_at": _local(salon, 2, 10).isoformat()}
    assert owner_client.post(_url("booking-list", salon), {**body, "staff": anna.pk}).status_code == 201
    refused = owner_client.post(_url("booking-list", salon), {**body, "staff": ben.pk})
    assert refused.status_code == 409
    assert refused.json()["code"] == "customer_busy" and len(refused.json()["bookings"]) == 1
    assert Booking.all_salons.filter(customer=customer).count() == 1
    parallel = owner_client.post(_url("booking-list", salon), {**body, "staff": ben.pk, "allow_parallel": True})
    assert parallel.status_code == 201
    assert Booking.all_salons.filter(customer=customer).count() == 2


def test_conversation_messages_answer_what_the_schema_declares(owner_client, salon):
    conversation = ConversationFactory(salon=salon)
    MessageFactory.create_batch(3, salon=salon, conversation=conversation)
    body = owner_client.get(_url("conversation-messages", salon, pk=conversation.pk)).json()
    assert body["count"] == 3 and {"id", "direction", "status"} <= set(body["results"][0])
