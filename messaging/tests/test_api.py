"""The messaging REST API: conversations with window state, sending with clear 400/409s, templates, costs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from devtools.testing.messaging import enqueued_sends
from messaging.models import Message, MessageStatus, MessageTemplate
from messaging.tasks import template_push
from messaging.tests.factories import ConversationFactory, MessageFactory, MessageTemplateFactory
from salons.models import Role

pytestmark = pytest.mark.django_db


def url(name, salon, **kwargs):
    return reverse(name, kwargs={"salon_id": salon.pk, **kwargs})


def test_conversation_list_shows_window_state_with_constant_queries(salon, owner_client, django_assert_num_queries):
    def count_for(n):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            response = owner_client.get(url("conversation-list", salon))
        assert response.status_code == 200 and response.json()["count"] == n
        return len(ctx.captured_queries)

    ConversationFactory.create_batch(3, salon=salon, window_open=True)
    ConversationFactory.create_batch(2, salon=salon)
    five = count_for(5)
    ConversationFactory.create_batch(45, salon=salon)
    assert count_for(50) == five
    states = [
        c["window_state"]
        for c in owner_client.get(url("conversation-list", salon), {"window": "open"}).json()["results"]
    ]
    assert states == ["open"] * 3


def test_message_list_has_constant_queries(salon, owner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_for(n):
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(url("message-list", salon)).json()["count"] == n
        return len(ctx.captured_queries)

    MessageFactory.create_batch(5, salon=salon)
    five = count_for(5)
    MessageFactory.create_batch(45, salon=salon)
    assert count_for(50) == five


def test_conversation_messages_are_paginated_newest_first(salon, owner_client):
    conversation = ConversationFactory(salon=salon)
    messages = MessageFactory.create_batch(3, salon=salon, conversation=conversation)
    response = owner_client.get(url("conversation-messages", salon, pk=conversation.pk), {"page_size": 2})
    data = response.json()
    assert data["count"] == 3 and len(data["results"]) == 2
    assert data["results"][0]["id"] == messages[-1].pk


def test_send_text_inside_the_window_is_201_and_queued(salon, owner_client, django_capture_on_commit_callbacks):
    customer = ConversationFactory(salon=salon, window_open=True).customer
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(
            url("message-list", salon), {"customer": customer.pk, "type": "text", "text": "Hi"}, format="json"
        )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued" and len(enqueued_sends(callbacks)) == 1
    assert Message.all_salons.get(pk=response.json()["id"]).salon_id == salon.pk


def test_send_errors_are_clear_400_and_409(salon, owner_client):
    closed = ConversationFactory(salon=salon).customer
    response = owner_client.post(url("message-list", salon), {"customer": closed.pk, "type": "text", "text": "Hi"})
    assert response.status_code == 409 and response.json()["code"] == "window_closed"
    assert "template" in response.json()["detail"]

    opted = ConversationFactory(salon=salon, window_open=True, customer__opted_out_at="2026-01-01T00:00:00Z").customer
    response = owner_client.post(url("message-list", salon), {"customer": opted.pk, "type": "text", "text": "Hi"})
    assert response.status_code == 409 and response.json()["code"] == "customer_opted_out"

    MessageTemplateFactory(salon=salon, name="pending_one", status="PENDING")
    body = {"customer": closed.pk, "type": "template", "template_name": "pending_one", "body_parameters": ["a", "b"]}
    response = owner_client.post(url("message-list", salon), body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "template_not_approved"

    MessageTemplateFactory(salon=salon, name="approved_one")
    body = {"customer": closed.pk, "type": "template", "template_name": "approved_one", "body_parameters": ["a"]}
    response = owner_client.post(url("message-list", salon), body, format="json")
    assert response.status_code == 400 and "body_parameters" in response.json()

    response = owner_client.post(url("message-list", salon), {"customer": closed.pk, "type": "text"})
    assert response.status_code == 400 and "text" in response.json()
    assert Message.all_salons.count() == 0


def test_templates_create_edit_delete(salon, make_member, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_member(salon, Role.MANAGER))
    body = {"name": "welcome", "language": "en", "category": "UTILITY", "components": [{"type": "BODY", "text": "Hi"}]}
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url("template-list", salon), body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "PENDING"
    assert [c for c in callbacks if getattr(c, "args", [None])[0] is template_push]
    assert client.post(url("template-list", salon), body, format="json").status_code == 409
    pk = response.json()["id"]
    bad = client.patch(url("template-detail", salon, pk=pk), {"components": [{"type": "HEADER"}]}, format="json")
    assert bad.status_code == 400
    response = client.patch(url("template-detail", salon, pk=pk), {"category": "MARKETING"}, format="json")
    assert response.status_code == 200 and response.json()["category"] == "MARKETING"
    assert client.delete(url("template-detail", salon, pk=pk)).status_code == 204
    assert not MessageTemplate.all_salons.filter(pk=pk).exists()


def test_template_create_is_submitted_to_meta_by_the_task(
    salon, graph, django_capture_on_commit_callbacks, owner_client
):
    from messaging.tasks import template_push

    body = {"name": "welcome", "language": "en", "category": "UTILITY", "components": [{"type": "BODY", "text": "Hi"}]}
    response = owner_client.post(url("template-list", salon), body, format="json")
    template_push(template_id=response.json()["id"], salon_id=str(salon.pk))
    template = MessageTemplate.all_salons.get(pk=response.json()["id"])
    assert template.meta_id and template.status == "PENDING"
    assert graph.templates(salon.waba_id)[0]["name"] == "welcome"


def test_cost_summary_by_day_and_category(salon, owner_client):
    conversation = ConversationFactory(salon=salon)
    for cost, category in (("0.05", "utility"), ("0.05", "utility"), ("0.12", "marketing"), ("0", "service")):
        MessageFactory(
            salon=salon,
            conversation=conversation,
            cost=Decimal(cost),
            cost_currency="EUR",
            pricing_category=category,
            status=MessageStatus.DELIVERED,
        )
    MessageFactory(salon=salon, conversation=conversation)  # not priced yet
    data = owner_client.get(url("whatsapp-cost-summary", salon)).json()
    assert Decimal(data["total"]) == Decimal("0.22") and data["currency"] == "EUR"
    by_category = {d["category"]: (d["messages"], Decimal(d["cost"])) for d in data["days"]}
    assert by_category == {
        "marketing": (1, Decimal("0.12")),
        "service": (1, Decimal("0")),
        "utility": (2, Decimal("0.10")),
    }
    bad = owner_client.get(url("whatsapp-cost-summary", salon), {"start": "2026-02-01", "end": "2026-01-01"})
    assert bad.status_code == 400
