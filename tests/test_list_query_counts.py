"""Every list endpoint runs a constant number of queries: a page of 50 rows costs no more than a page of 5.

Rows are made with the isolation suite's own ``make_kwargs`` of the matching detail route (one row per call), or by
an explicit maker for nested lists. A new list route fails ``test_every_list_route_is_counted`` until it is added.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from analytics.tests.helpers import make_booking
from messaging.tests.factories import ConversationFactory, MessageFactory
from salons.tests.factories import CustomerFactory
from tests.isolation.support import TENANT_PREFIX, _walk, load_cases

pytestmark = pytest.mark.django_db

# Lists that are not rows of a table: free slots are computed per staff member and day (a different test).
NOT_ROW_LISTS = {"availability"}


def _via_detail_case(detail_name: str):
    def make(salon, count: int, state: dict) -> dict:
        make_kwargs = load_cases()[0][detail_name].make_kwargs
        for _ in range(count):
            make_kwargs(salon)
        return {}

    return make


def _customer_bookings(salon, count: int, state: dict) -> dict:
    customer = state.setdefault("customer", CustomerFactory(salon=salon))
    counter = state.setdefault("counter", itertools.count(1))
    for _ in range(count):
        make_booking(salon, timezone.now() + timedelta(days=next(counter)), customer=customer)
    return {"customer_pk": customer.pk}


def _conversation_messages(salon, count: int, state: dict) -> dict:
    conversation = state.setdefault("conversation", ConversationFactory(salon=salon))
    for _ in range(count):
        MessageFactory(salon=salon, conversation=conversation)
    return {"pk": conversation.pk}


ROW_MAKERS = {
    "member-list": _via_detail_case("member-detail"),
    "invitation-list": _via_detail_case("invitation-detail"),
    "api-key-list": _via_detail_case("api-key-detail"),
    "customer-list": _via_detail_case("customer-detail"),
    "service-list": _via_detail_case("service-detail"),
    "staff-list": _via_detail_case("staff-detail"),
    "time-off-list": _via_detail_case("time-off-detail"),
    "booking-list": _via_detail_case("booking-detail"),
    "customer-bookings": _customer_bookings,
    "conversation-list": _via_detail_case("conversation-detail"),
    "conversation-messages": _conversation_messages,
    "message-list": _via_detail_case("message-detail"),
    "template-list": _via_detail_case("template-detail"),
}


def _list_routes() -> set[str]:
    names = set()
    for pattern, entry in _walk(get_resolver().url_patterns):
        actions = getattr(entry.callback, "actions", None) or {}
        if pattern.startswith(TENANT_PREFIX) and actions.get("get") == "list":
            names.add(entry.name)
    return names


def test_every_list_route_is_counted():
    assert _list_routes() - NOT_ROW_LISTS <= set(ROW_MAKERS), "add a row maker for the new list route"


def _rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


@pytest.mark.parametrize("url_name", sorted(ROW_MAKERS))
def test_a_page_of_50_rows_costs_no_more_queries_than_a_page_of_5(url_name, salon, owner_client):
    state: dict = {}
    kwargs = ROW_MAKERS[url_name](salon, 5, state)
    url = reverse(url_name, kwargs={"salon_id": salon.pk, **kwargs})
    query = load_cases()[0][url_name].query
    assert owner_client.get(url, query).status_code == 200  # warm per-process caches (content types, ...)

    with CaptureQueriesContext(connection) as five:
        small = owner_client.get(url, query)
    ROW_MAKERS[url_name](salon, 45, state)
    with CaptureQueriesContext(connection) as fifty:
        large = owner_client.get(url, query)

    assert small.status_code == large.status_code == 200
    assert len(_rows(large)) >= min(len(_rows(small)) + 45, 50)  # the rows are really on the page
    extra = [q["sql"] for q in fifty.captured_queries[len(five) :]]
    assert len(fifty) <= len(five), f"{url_name}: {len(five)} -> {len(fifty)} queries; extra: {extra[:3]}"
