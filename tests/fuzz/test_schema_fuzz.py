"""Schemathesis against the live OpenAPI schema, in process (WSGI), as an owner, a staff member and a viewer.

The schema is the one /api/schema/ serves. Every operation gets its explicit examples and a bounded, derandomized
fuzzing phase for each role; as the owner (who may call everything) it also gets schemathesis' coverage phase:
boundary and invalid values for every parameter and body field (NUL characters, lone surrogates, huge numbers,
wrong types, dates at year 1 and 9999, ...). Requests go to a salon that has data (services, staff with hours,
customers, bookings, conversations, messages, templates, time off). A 5xx, a response that breaks its documented
schema, or an undocumented content type fails the test. Integer path ids are pointed at real rows most of the time,
so that detail routes do more than answer 404.

Budget: the three roles together take well under three minutes (bounded examples, one data set per module).
"""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.apps import apps
from django.core import signals
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from config.wsgi import application
from messaging.tests.factories import ConversationFactory, MessageFactory, MessageTemplateFactory
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

SEED = 20261130
OWNER_MAX_EXAMPLES = 8  # plus the coverage phase's deterministic cases
OTHER_MAX_EXAMPLES = 4
FUZZ_SALON_ID = uuid.UUID("5a1a0000-0000-4000-8000-00000000f022")

# Server errors, response bodies against their schema, response content types. Not enabled: status_code_conformance
# (the schema documents the success and 409 answers, not every 400/401/403/404/429 each route can give) and the
# negative/positive data "acceptance" checks (DRF accepts some inputs the schema does not describe, e.g. extra fields,
# and rejects some schema-valid ones on business rules: a booking in the past, an unknown customer id).
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _load_schema(*, max_examples: int, coverage: bool):
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
            "parameters": {"salon_id": str(FUZZ_SALON_ID)},
            "phases": {
                "stateful": {"enabled": False},
                # Unexpected methods are Django's/DRF's 405s, the same code for every route: not worth 8 calls each.
                "coverage": {"enabled": coverage, "unexpected-methods": []},
            },
        }
    )
    loaded = schemathesis.openapi.from_dict(_DOCUMENT, config=config)
    loaded.app = application
    return loaded


_DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
owner_schema = _load_schema(max_examples=OWNER_MAX_EXAMPLES, coverage=True)
other_schema = _load_schema(max_examples=OTHER_MAX_EXAMPLES, coverage=False)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """One salon with a bit of everything and three members, created once for the module in an outer transaction.

    Each test runs in a savepoint inside it (pytest-django's ``db``), so what a test writes or deletes is rolled
    back before the next one, and the outer transaction is rolled back at the end (like ``setUpTestData``).
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            salon = SalonFactory(
                id=FUZZ_SALON_ID, timezone="Europe/Berlin", min_notice_minutes=0, booking_horizon_days=60
            )
            haircut = ServiceFactory(salon=salon, name="Haircut", duration_minutes=30, price=Decimal("30.00"))
            colour = ServiceFactory(salon=salon, name="Colour", duration_minutes=90)
            anna = staff_with_hours(salon, [haircut, colour], name="Anna", hours=[(time(9), time(18))])
            staff_with_hours(salon, [haircut], name="Ben", hours=[(time(10), time(14))], weekdays=range(5))
            customers = [CustomerFactory(salon=salon) for _ in range(3)]
            start = (timezone.now() + timedelta(days=3)).astimezone(salon.tz).replace(hour=10, minute=0, second=0)
            for offset, customer in enumerate(customers):
                booking_for(
                    salon, service=haircut, staff=anna, customer=customer, starts_at=start + timedelta(hours=offset)
                )
            for customer in customers[:2]:
                conversation = ConversationFactory(salon=salon, customer=customer, window_open=True)
                MessageFactory.create_batch(2, salon=salon, conversation=conversation)
            MessageTemplateFactory(salon=salon, name="booking_confirmation")
            TimeOffFactory(salon=salon, staff=anna)
            headers = {}
            for role in (Role.OWNER, Role.STAFF, Role.VIEWER):
                user = UserFactory()
                MembershipFactory(salon=salon, user=user, role=role)
                headers[role] = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}
            ids = _ids_by_resource()
            yield {"salon": salon, "headers": headers, "ids": ids}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


_RESOURCE_MODELS = {
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


def _ids_by_resource() -> dict[str, list[int]]:
    return {
        resource: sorted(apps.get_model(label).all_salons.filter(salon_id=FUZZ_SALON_ID).values_list("pk", flat=True))
        for resource, label in _RESOURCE_MODELS.items()
    }


@pytest.fixture
def world(fuzz_world, db, monkeypatch):
    # Requests run in the test's transaction: the WSGI handler must not close the connection after each one
    # (Django's own test client disconnects the same signal handlers).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Thousands of requests per caller: throttling (tested elsewhere) would hide the routes behind 429s.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", dict.fromkeys(("anon", "user", "auth_token"), None))
    yield fuzz_world
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _point_at_real_rows(case, ids: dict[str, list[int]]) -> None:
    """Most integer ids become ids of this salon's rows of that resource; every fifth one (and every invalid value)
    is kept, for the 404s and 400s."""
    params = case.path_parameters or {}
    parts = case.operation.path.strip("/").split("/")
    for name, value in list(params.items()):
        placeholder = "{" + name + "}"
        if not isinstance(value, int) or isinstance(value, bool) or value % 5 == 0 or placeholder not in parts:
            continue
        rows = ids.get(parts[parts.index(placeholder) - 1]) or ids.get("customers" if name == "customer_pk" else "")
        if rows:
            params[name] = rows[abs(value) % len(rows)]


def _call(case, world, role: str) -> None:
    _point_at_real_rows(case, world["ids"])
    case.call_and_validate(headers=world["headers"][role], checks=CHECKS)


FUZZ_SETTINGS = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


# One test per role: schemathesis parametrizes each with one item per operation.
@owner_schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_owner_never_errors_and_keeps_to_its_schema(case, world):
    _call(case, world, Role.OWNER)


@other_schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff_never_errors_and_keeps_to_its_schema(case, world):
    _call(case, world, Role.STAFF)


@other_schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_viewer_never_errors_and_keeps_to_its_schema(case, world):
    _call(case, world, Role.VIEWER)
