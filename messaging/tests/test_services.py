"""Outbound rules: the 24 h window, opt-out, template approval/parameters/language, Meta's interactive limits."""

from __future__ import annotations

import pytest

from messaging.booking_templates import parse_reminder_payload, reminder_payloads
from messaging.errors import CustomerOptedOut, InvalidMessage, TemplateNotApproved, WindowClosed
from messaging.models import Message, MessageStatus, MessageType
from messaging.services import (
    message_send_interactive,
    message_send_template,
    message_send_text,
    template_delete,
    template_install_pack,
    template_submit,
    template_sync,
)
from messaging.tests.factories import ConversationFactory, MessageTemplateFactory
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db
PARAMS = ["Ana", "Haircut", "Tue 3 Jun, 15:00", "Marta", "K7Q2PX"]


def buttons(*titles):
    return {
        "type": "button",
        "body": {"text": "Which time suits you?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]},
    }


def rows(n):
    return {
        "type": "list",
        "body": {"text": "Free slots"},
        "action": {"button": "Choose", "sections": [{"rows": [{"id": f"r{i}", "title": f"{i}:00"} for i in range(n)]}]},
    }


@pytest.fixture
def expired(salon):
    return ConversationFactory(salon=salon).customer


@pytest.fixture
def pack(salon):
    with salon_scope(salon):
        return template_install_pack(salon=salon, approve_locally=True)


def test_free_form_outside_the_window_needs_a_template(salon, expired, pack):
    with salon_scope(salon):
        with pytest.raises(WindowClosed, match="template"):
            message_send_text(salon=salon, customer=expired, text="Hi")
        with pytest.raises(WindowClosed):
            message_send_interactive(salon=salon, customer=expired, interactive=buttons("Yes", "No"))
        message = message_send_template(
            salon=salon, customer=expired, template_name="booking_confirmation", body_parameters=PARAMS
        )
    assert message.status == MessageStatus.QUEUED and message.type == MessageType.TEMPLATE
    assert message.preview.startswith("Hi Ana, your Haircut on Tue 3 Jun, 15:00 with Marta")
    assert message.body["template"]["components"][0]["parameters"][4] == {"type": "text", "text": "K7Q2PX"}


def test_text_outside_the_window_falls_back_to_the_template_the_caller_names(salon, expired, pack, customer):
    with salon_scope(salon):
        fallback = message_send_text(
            salon=salon,
            customer=expired,
            text="Hi",
            fallback_template="booking_confirmation",
            fallback_parameters=PARAMS,
        )
        inside = message_send_text(salon=salon, customer=customer, text="Hi", fallback_template="booking_confirmation")
    assert fallback.type == MessageType.TEMPLATE and fallback.template.name == "booking_confirmation"
    assert inside.type == MessageType.TEXT  # inside the window the text itself goes out
    assert Message.all_salons.filter(customer=expired, type=MessageType.TEXT).count() == 0


def test_inside_the_window_text_and_interactive_are_queued(salon, customer):
    with salon_scope(salon):
        text = message_send_text(salon=salon, customer=customer, text="See you at 3")
        interactive = message_send_interactive(
            salon=salon, customer=customer, interactive=buttons("Yes", "No"), reply_to=text
        )
    assert interactive.reply_to_id == text.pk
    assert Message.all_salons.filter(status=MessageStatus.QUEUED).count() == 2


def test_opted_out_customer_gets_utility_templates_but_no_marketing_or_free_form(salon, customer, pack):
    customer.opted_out_at = "2026-01-01T00:00:00Z"
    customer.save()
    MessageTemplateFactory(salon=salon, name="promo", category="MARKETING", components=[{"type": "BODY", "text": "x"}])
    with salon_scope(salon):
        with pytest.raises(CustomerOptedOut):
            message_send_text(salon=salon, customer=customer, text="Hi")
        with pytest.raises(CustomerOptedOut):
            message_send_template(salon=salon, customer=customer, template_name="promo")
        assert message_send_template(
            salon=salon, customer=customer, template_name="booking_reminder", body_parameters=PARAMS
        )


@pytest.mark.parametrize("status", ["PENDING", "REJECTED", "PAUSED", "DISABLED"])
def test_unapproved_template_is_refused(salon, customer, status):
    MessageTemplateFactory(salon=salon, name="booking_confirmation", status=status)
    with salon_scope(salon), pytest.raises(TemplateNotApproved, match="not approved"):
        message_send_template(
            salon=salon, customer=customer, template_name="booking_confirmation", body_parameters=["a", "b"]
        )


def test_missing_template_and_wrong_parameter_count_are_refused(salon, customer, pack):
    with salon_scope(salon):
        with pytest.raises(TemplateNotApproved, match="no template"):
            message_send_template(salon=salon, customer=customer, template_name="nope")
        with pytest.raises(InvalidMessage, match="needs 5 body parameters, got 2") as error:
            message_send_template(
                salon=salon, customer=customer, template_name="booking_confirmation", body_parameters=["a", "b"]
            )
        assert error.value.field == "body_parameters"
        with pytest.raises(InvalidMessage, match="3 quick-reply buttons"):
            message_send_template(
                salon=salon,
                customer=customer,
                template_name="booking_reminder",
                body_parameters=PARAMS,
                quick_reply_payloads=["x"],
            )
    assert Message.all_salons.count() == 0


def test_language_falls_back_from_customer_to_salon_to_english(salon, customer, pack):
    customer.language = "pt"
    customer.save()
    MessageTemplateFactory(salon=salon, name="greeting", language="pt_BR")
    MessageTemplateFactory(salon=salon, name="only_en", language="en")
    with salon_scope(salon):
        reminder = message_send_template(
            salon=salon,
            customer=customer,
            template_name="booking_reminder",
            body_parameters=PARAMS,
            quick_reply_payloads=reminder_payloads("K7Q2PX"),
        )
        regional = message_send_template(
            salon=salon, customer=customer, template_name="greeting", body_parameters=["a", "b"]
        )
        english = message_send_template(
            salon=salon, customer=customer, template_name="only_en", body_parameters=["a", "b"]
        )
    assert reminder.body["template"]["language"] == {"code": "pt"}
    assert reminder.body["template"]["components"][1] == {
        "type": "button",
        "sub_type": "quick_reply",
        "index": "0",
        "parameters": [{"type": "payload", "payload": "booking:K7Q2PX:confirm"}],
    }
    assert regional.body["template"]["language"] == {"code": "pt_BR"}
    assert english.body["template"]["language"] == {"code": "en"}


@pytest.mark.parametrize(
    "interactive,match",
    [
        (buttons("A", "B", "C", "D"), "1 to 3 reply buttons"),
        (buttons("A" * 21), "at most 20"),
        (buttons("Same", "Same"), "unique"),
        (rows(11), "1 to 10 rows"),
        ({"type": "carousel", "body": {"text": "x"}}, "'button' or 'list'"),
        ({"type": "button", "body": {"text": ""}, "action": {}}, "Body text is required"),
    ],
)
def test_interactive_messages_are_checked_against_metas_limits(salon, customer, interactive, match):
    with salon_scope(salon), pytest.raises(InvalidMessage, match=match):
        message_send_interactive(salon=salon, customer=customer, interactive=interactive)


def test_a_customer_of_another_salon_is_refused(salon, other_salon):
    foreign = ConversationFactory(salon=other_salon, window_open=True).customer
    with salon_scope(salon), pytest.raises(InvalidMessage):
        message_send_text(salon=salon, customer=foreign, text="Hi")


# --- template management through the fake Graph API --------------------------------------------------------------


def test_submit_sync_and_delete_templates(salon, graph):
    with salon_scope(salon):
        installed = template_install_pack(salon=salon, languages=["en", "de"])
        assert {t.status for t in installed} == {"PENDING"} and all(t.meta_id for t in installed)
        assert len(graph.templates(salon.waba_id)) == 8
        graph.set_template_status(salon.waba_id, "booking_reminder", "APPROVED")
        graph.state.templates[salon.waba_id].append(
            {"id": "777", "name": "made_in_meta", "language": "es", "status": "APPROVED", "category": "MARKETING"}
        )
        counts = template_sync(salon=salon)
        assert counts == {"created": 1, "updated": 8, "deleted": 0}
        reminder = installed[1]
        reminder.refresh_from_db()
        assert reminder.status == "APPROVED"
        template_delete(template=reminder)
        assert [t["language"] for t in graph.templates(salon.waba_id) if t["name"] == "booking_reminder"] == ["de"]
        graph.state.templates[salon.waba_id] = []
        assert template_sync(salon=salon)["deleted"] == 8


def test_submitting_twice_is_a_conflict(salon, graph):
    with salon_scope(salon):
        template_submit(
            salon=salon, name="x", language="en", category="UTILITY", components=[{"type": "BODY", "text": "Hi"}]
        )
        with pytest.raises(Exception, match="already exists"):
            template_submit(
                salon=salon, name="x", language="en", category="UTILITY", components=[{"type": "BODY", "text": "Hi"}]
            )


def test_a_reminder_payload_reads_back_as_the_booking_and_the_action():
    payloads = reminder_payloads("K7Q2PX")
    assert [parse_reminder_payload(payload) for payload in payloads] == [
        ("K7Q2PX", "confirm"),
        ("K7Q2PX", "reschedule"),
        ("K7Q2PX", "cancel"),
    ]
    assert parse_reminder_payload("booking:K7Q2PX:delete") is None
    assert parse_reminder_payload("svc:12") is None
