"""Inbound messages, STOP/START, delivery statuses (duplicated, out of order, priced once) and template events."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from devtools.testing.messaging import enqueued_sends
from messaging.errors import CustomerOptedOut
from messaging.inbound import inbound_message_receive, inbound_status_receive
from messaging.models import Conversation, Direction, Message, MessageStatus, MessageTemplate, MessageType
from messaging.services import message_send_template, message_send_text, template_event_apply
from messaging.tests.factories import ConversationFactory, MessageFactory, MessageTemplateFactory
from messaging.whatsapp.errors import explain
from salons.models import Customer, Salon
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def change_value(name: str) -> dict:
    return json.loads((FIXTURES / name).read_bytes())["entry"][0]["changes"][0]["value"]


def receive(salon, value, message):
    with salon_scope(salon):
        return inbound_message_receive(salon=salon, value=value, message=message)


def text_message(wa_id: str, wamid: str, body: str, timestamp: str | None = None) -> tuple[dict, dict]:
    timestamp = timestamp or str(int(time.time()))
    value = {"contacts": [{"wa_id": wa_id, "profile": {"name": "Kim"}}]}
    return value, {"from": wa_id, "id": wamid, "timestamp": timestamp, "type": "text", "text": {"body": body}}


def test_first_message_creates_customer_conversation_and_opens_24h_window(salon):
    value = change_value("inbound_text_non_ascii.body")
    result = receive(salon, value, value["messages"][0])
    assert result.created and result.keyword is None
    message = result.message
    customer = Customer.all_salons.get(pk=message.customer_id)
    assert (customer.wa_id, customer.phone, customer.name) == ("5511987654321", "+5511987654321", "João Müller")
    assert message.direction == Direction.INBOUND and message.status == MessageStatus.RECEIVED
    assert message.preview.startswith("Olá! Quero marcar")
    conversation = Conversation.all_salons.get(pk=message.conversation_id)
    assert conversation.window_expires_at - conversation.last_inbound_at == Conversation_window()
    assert (conversation.message_count, conversation.inbound_count) == (1, 1)


def Conversation_window():
    from messaging.models import CUSTOMER_SERVICE_WINDOW

    return CUSTOMER_SERVICE_WINDOW


def test_duplicate_wamid_is_ignored(salon):
    value = change_value("inbound_text.body")
    first = receive(salon, value, value["messages"][0])
    second = receive(salon, value, value["messages"][0])
    assert first.created and not second.created and second.message.pk == first.message.pk
    assert Message.all_salons.filter(salon=salon).count() == 1
    assert Conversation.all_salons.get(salon=salon).message_count == 1


def test_existing_customer_is_found_by_phone_and_gets_the_wa_id(salon):
    existing = CustomerFactory(salon=salon, phone="+16505551234", wa_id="", name="Sheena N.")
    value = change_value("inbound_text.body")
    result = receive(salon, value, value["messages"][0])
    existing.refresh_from_db()
    assert result.message.customer_id == existing.pk
    assert existing.wa_id == "16505551234" and existing.name == "Sheena N."


def test_same_wa_id_in_another_salon_is_another_customer(salon, other_salon):
    value = change_value("inbound_text.body")
    a = receive(salon, value, value["messages"][0])
    b = receive(other_salon, value, value["messages"][0])
    assert a.created and b.created and a.message.customer_id != b.message.customer_id


def test_button_reply_exposes_its_payload_and_links_the_replied_message(salon):
    value = change_value("inbound_button_reply.body")
    conversation = ConversationFactory(salon=salon, customer__phone="+16505551234", customer__wa_id="16505551234")
    original = MessageFactory(salon=salon, conversation=conversation, wamid="wamid.OUT0001")
    result = receive(salon, value, value["messages"][0])
    assert result.message.type == MessageType.INTERACTIVE
    assert result.message.reply_payload == "confirm"
    assert result.message.reply_to_id == original.pk


def test_template_quick_reply_payload(salon):
    value, message = text_message("4915112340009", "wamid.BTN1", "")
    message.update(type="button", button={"payload": "booking:K7Q2PX:confirm", "text": "Confirm"})
    message.pop("text")
    result = receive(salon, value, message)
    assert result.message.type == MessageType.BUTTON and result.message.reply_payload == "booking:K7Q2PX:confirm"


def test_unknown_types_are_stored_as_unsupported(salon):
    value, message = text_message("4915112340009", "wamid.UNS1", "")
    message.update(type="order", order={"catalog_id": "1"})
    result = receive(salon, value, message)
    assert result.created and result.message.type == MessageType.UNSUPPORTED and result.message.reply_payload is None


@pytest.mark.parametrize("word", ["STOP", "stop", "Parar", "PARE", "Stopp", "BAJA", "abmelden"])
def test_stop_keyword_opts_out_and_confirms(salon, word, django_capture_on_commit_callbacks):
    value, message = text_message("4915112340009", "wamid.STOP1", word)
    with django_capture_on_commit_callbacks() as callbacks:
        result = receive(salon, value, message)
    assert result.keyword == "stop"
    customer = Customer.all_salons.get(wa_id="4915112340009")
    assert customer.opted_out_at is not None
    confirmation = Message.all_salons.get(salon=salon, direction=Direction.OUTBOUND)
    assert confirmation.status == MessageStatus.QUEUED and confirmation.reply_to_id == result.message.pk
    assert len(enqueued_sends(callbacks)) == 1
    with salon_scope(salon), pytest.raises(CustomerOptedOut):
        message_send_text(salon=salon, customer=customer, text="Special offer!")


@pytest.mark.parametrize(
    "word,language,language_hint",
    [("START", "en", "STOP"), ("alta", "en", "BAJA"), ("Iniciar", "pt", "PARE"), ("Start", "de", "STOPP")],
)
def test_start_keyword_clears_the_opt_out_and_confirms(salon, word, language, language_hint):
    CustomerFactory(salon=salon, phone="+4915112340009", language=language, opted_out_at="2026-01-01T00:00:00Z")
    value, message = text_message("4915112340009", "wamid.START1", word)
    result = receive(salon, value, message)
    assert result.keyword == "start"
    assert Customer.all_salons.get(wa_id="4915112340009").opted_out_at is None
    confirmation = Message.all_salons.get(salon=salon, direction=Direction.OUTBOUND)
    assert language_hint in confirmation.preview


def test_a_sentence_containing_stop_is_not_a_keyword(salon):
    value, message = text_message("4915112340009", "wamid.NS1", "Please don't stop the reminders")
    assert receive(salon, value, message).keyword is None
    assert Customer.all_salons.get(wa_id="4915112340009").opted_out_at is None


# --- statuses ----------------------------------------------------------------------------------------------------


def status(wamid, name, ts, pricing=None, errors=None):
    item = {"id": wamid, "status": name, "timestamp": str(ts), "recipient_id": "4915112340001"}
    if pricing:
        item["pricing"] = pricing
    if errors:
        item["errors"] = errors
    return item


def apply(salon, *statuses):
    with salon_scope(salon):
        return [inbound_status_receive(salon=salon, status=s) for s in statuses]


UTILITY = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}


@pytest.fixture
def sent_message(salon):
    conversation = ConversationFactory(salon=salon, customer__phone="+4915112340001", customer__wa_id="4915112340001")
    return MessageFactory(salon=salon, conversation=conversation, status=MessageStatus.SENT, wamid="wamid.OUT0001")


def test_statuses_in_order_advance_and_price_the_message(salon, sent_message):
    apply(salon, *change_value("statuses_sent_delivered_read.body")["statuses"])
    sent_message.refresh_from_db()
    assert sent_message.status == MessageStatus.READ
    assert sent_message.delivered_at and sent_message.read_at
    assert (sent_message.pricing_model, sent_message.pricing_type, sent_message.pricing_category) == (
        "PMP",
        "regular",
        "utility",
    )
    assert sent_message.cost == Decimal("0.050600") and sent_message.cost_currency == "EUR"  # Germany, utility


def test_duplicated_and_reordered_statuses_end_read_and_count_the_cost_once(salon, sent_message):
    w = sent_message.wamid
    apply(
        salon,
        status(w, "read", 30),
        status(w, "delivered", 20, UTILITY),
        status(w, "sent", 10, UTILITY),
        status(w, "delivered", 20, UTILITY),
        status(w, "sent", 10, UTILITY),
        status(w, "read", 30),
    )
    sent_message.refresh_from_db()
    assert sent_message.status == MessageStatus.READ
    assert sent_message.cost == Decimal("0.050600")
    assert Conversation.all_salons.get(pk=sent_message.conversation_id).cost_total == Decimal("0.050600")
    assert Salon.objects.get(pk=salon.pk).whatsapp_cost_total == Decimal("0.050600")


def test_read_without_delivered_implies_delivered(salon, sent_message):
    apply(salon, status(sent_message.wamid, "read", 30))
    sent_message.refresh_from_db()
    assert sent_message.status == MessageStatus.READ and sent_message.delivered_at == sent_message.read_at


def test_failed_status_records_the_error_and_is_terminal(salon, sent_message):
    MessageFactory(salon=salon, conversation=sent_message.conversation, wamid="wamid.OUT0002", status="sent")
    [failed] = apply(salon, *change_value("status_failed_131047.body")["statuses"])
    assert failed.status == MessageStatus.FAILED and failed.error_code == 131047
    assert failed.error_explanation == explain(131047)
    assert "24 hours" in failed.error_details
    [again] = apply(salon, status("wamid.OUT0002", "delivered", 99))
    assert again.status == MessageStatus.FAILED


def test_failed_after_read_does_not_overwrite(salon, sent_message):
    apply(salon, status(sent_message.wamid, "read", 30), status(sent_message.wamid, "failed", 40, errors=[{"code": 1}]))
    sent_message.refresh_from_db()
    assert sent_message.status == MessageStatus.READ


@pytest.mark.parametrize(
    "pricing,cost",
    [
        ({"billable": False, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}, "0"),
        ({"billable": False, "pricing_model": "PMP", "type": "free_entry_point", "category": "marketing"}, "0"),
        ({"billable": True, "pricing_model": "CBP", "category": "marketing"}, "0.125580"),  # older webhooks
        ({"billable": False, "pricing_model": "CBP", "category": "utility"}, "0"),
    ],
)
def test_cost_only_for_regular_or_billable_pricing(salon, sent_message, pricing, cost):
    apply(salon, status(sent_message.wamid, "sent", 10, pricing))
    sent_message.refresh_from_db()
    assert sent_message.cost == Decimal(cost)


def test_unknown_market_uses_the_other_rate(salon):
    conversation = ConversationFactory(salon=salon, customer__phone="+81312345678", customer__wa_id="81312345678")
    message = MessageFactory(salon=salon, conversation=conversation, wamid="wamid.JP1")
    apply(salon, status("wamid.JP1", "sent", 10, UTILITY))
    message.refresh_from_db()
    assert message.cost == Decimal("0.007084")


def test_status_for_unknown_wamid_returns_none(salon):
    assert apply(salon, status("wamid.NOPE", "sent", 10)) == [None]


def test_statuses_from_the_fake_server_through_a_real_send(salon, fake_graph, deliver):
    fake_graph.register_salon(salon)
    fake_graph.set_plan(duplicates=True, reorder=True)
    template = MessageTemplateFactory(salon=salon, name="booking_confirmation", language="en")
    customer = CustomerFactory(salon=salon, phone="+34612345678", wa_id="34612345678", language="es")
    with salon_scope(salon):
        message = message_send_template(
            salon=salon,
            customer=customer,
            template_name=template.name,
            language="en",
            body_parameters=["Ana", "Haircut"],
        )
    deliver(message)
    statuses = fake_graph.statuses_for(message.wamid)
    assert [s["status"] for s in statuses] == ["read", "read", "delivered", "delivered", "sent", "sent"]
    apply(salon, *statuses)
    message.refresh_from_db()
    assert message.status == MessageStatus.READ and message.cost == Decimal("0.018400")  # Spain, utility, EUR
    assert Salon.objects.get(pk=salon.pk).whatsapp_cost_total == Decimal("0.018400")


# --- template events ---------------------------------------------------------------------------------------------


def test_template_status_update_approves_the_template(salon):
    template = MessageTemplateFactory(
        salon=salon, name="appointment_reminder", language="en_US", status="PENDING", meta_id="1689556908129832"
    )
    value = change_value("template_status_approved.body")
    with salon_scope(salon):
        result = template_event_apply(salon=salon, field="message_template_status_update", value=value)
    assert result.pk == template.pk
    template.refresh_from_db()
    assert template.status == "APPROVED" and template.rejection_reason == ""


def test_template_rejection_keeps_the_reason_and_unknown_templates_are_created(salon):
    value = {
        "event": "REJECTED",
        "message_template_id": 42,
        "message_template_name": "promo",
        "message_template_language": "de",
        "reason": "INVALID_FORMAT",
    }
    with salon_scope(salon):
        template = template_event_apply(salon=salon, field="message_template_status_update", value=value)
    assert MessageTemplate.all_salons.get(pk=template.pk).rejection_reason == "INVALID_FORMAT"
    assert template.status == "REJECTED" and template.meta_id == "42"
