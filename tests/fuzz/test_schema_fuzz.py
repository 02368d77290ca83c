"""Schemathesis against the live OpenAPI schema, in process (WSGI), as an owner, a staff member and a viewer.

Every operation of /api/schema/ gets its explicit examples, the coverage phase (boundary and invalid values: NUL
characters, huge numbers, wrong types, dates at year 1 and 9999, ...) and a bounded, derandomized fuzzing phase,
against a salon that has data (services, staff with hours, customers, bookings, conversations, messages,
templates, time off). A 5xx, a response that breaks its documented schema, or a response whose content type is
not the documented one fails the test. Path ids are pointed at real rows most of the time so that detail routes
are exercised beyond 404.
"""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from config.wsgi import application
from messaging.tests.factories import ConversationFactory, MessageFactory, MessageTemplateFactory
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

# Small enough that the three roles together stay well under three minutes on a CI machine; the coverage phase
# (deterministic edge cases per parameter) is where most of the bad-input bugs are found anyway.
MAX_EXAMPLES = 8
SEED = 20261130

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


FUZZ_SALON_ID = uuid.UUID("5a1a0000-0000-4000-8000-00000000f022")


def _load_schema():
    """The schema exactly as /api/schema/ serves it, called in process through the WSGI app."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "parameters": {"salon_id": str(FUZZ_SALON_ID)},
            "phases": {"stateful": {"enabled": False}},
        }
    )
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=config)
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture
def fuzz_salon(db):
    """A salon with a bit of everything; its bookings are a few days ahead of whatever today is."""
    salon = SalonFactory(id=FUZZ_SALON_ID, timezone="Europe/Berlin", min_notice_minutes=0, booking_horizon_days=60)
    haircut = ServiceFactory(salon=salon, name="Haircut", duration_minutes=30, price=Decimal("30.00"))
    colour = ServiceFactory(salon=salon, name="Colour", duration_minutes=90)
    anna = staff_with_hours(salon, [haircut, colour], name="Anna", hours=[(time(9), time(18))])
    staff_with_hours(salon, [haircut], name="Ben", hours=[(time(10), time(14))], weekdays=range(5))
    customers = [CustomerFactory(salon=salon) for _ in range(3)]
    start = (timezone.now() + timedelta(days=3)).astimezone(salon.tz).replace(hour=10, minute=0, second=0)
    for offset, customer in enumerate(customers):
        booking_for(salon, service=haircut, staff=anna, customer=customer, starts_at=start + timedelta(hours=offset))
    for customer in customers[:2]:
        conversation = ConversationFactory(salon=salon, customer=customer, window_open=True)
        MessageFactory.create_batch(2, salon=salon, conversation=conversation)
    MessageTemplateFactory(salon=salon, name="booking_confirmation")
    TimeOffFactory(salon=salon, staff=anna)
    return salon


@pytest.fixture
def _in_test_transaction():
    """Requests run in the test's transaction: the WSGI handler must not close the connection after each one
    (Django's own test client disconnects the same signal handlers)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def _unthrottled(monkeypatch):
    # The fuzzer sends thousands of requests per caller; 429s would hide the routes behind them.
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": "1000000/min", "anon": "1000000/min"}
    rates["auth_token"] = "1000000/min"
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _bearer_of_new_member(salon, role: str) -> dict:
    user = UserFactory()
    MembershipFactory(salon=salon, user=user, role=role)
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture
def owner_headers(fuzz_salon, _unthrottled, _in_test_transaction):
    return _bearer_of_new_member(fuzz_salon, Role.OWNER)


@pytest.fixture
def staff_headers(fuzz_salon, _unthrottled, _in_test_transaction):
    return _bearer_of_new_member(fuzz_salon, Role.STAFF)


@pytest.fixture
def viewer_headers(fuzz_salon, _unthrottled, _in_test_transaction):
    return _bearer_of_new_member(fuzz_salon, Role.VIEWER)


def _point_at_real_rows(case) -> None:
    """Most integer ids become ids of this salon's rows of that resource, so detail routes do more than 404."""
    from django.apps import apps

    resource_models = {
        "services": "bookings.Service",
        "staff": "bookings.StaffMember",
        "time-off": "bookings.TimeOff",
        "bookings": "bookings.Booking",
        "customers": "salons.Customer",
        "conversations": "messaging.Conversation",
        "messages": "messaging.Message",
        "templates": "messaging.MessageTemplate",
        "members": "salons.Membership",
        "api-keys": "salons.ApiKey",
    }
    params = case.path_parameters or {}
    parts = case.operation.path.strip("/").split("/")
    for name, value in list(params.items()):
        if not isinstance(value, int) or value % 5 == 0:  # keep some misses (404) and every invalid value
            continue
        resource = parts[parts.index("{" + name + "}") - 1] if "{" + name + "}" in parts else None
        label = resource_models.get(resource)
        if label is None:
            continue
        ids = sorted(apps.get_model(label).all_salons.values_list("pk", flat=True))
        if ids:
            params[name] = ids[abs(value) % len(ids)]


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _call(case, headers) -> None:
    _point_at_real_rows(case)
    case.call_and_validate(headers=headers, checks=CHECKS)


# One test per role: each is parametrized by schemathesis with one item per operation.
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_owner_never_errors_and_keeps_to_its_schema(case, owner_headers):
    _call(case, owner_headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff_never_errors_and_keeps_to_its_schema(case, staff_headers):
    _call(case, staff_headers)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_viewer_never_errors_and_keeps_to_its_schema(case, viewer_headers):
    _call(case, viewer_headers)
