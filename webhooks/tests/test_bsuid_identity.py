"""Customers known by business-scoped user ID (BSUID) and username, through signed webhooks in the 2026 format."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from devtools.testing.messaging import enqueued_sends
from messaging.models import Message
from messaging.services import message_send_text
from messaging.tests.factories import MessageFactory
from salons.models import Customer
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory
from webhooks.models import ItemStatus, WebhookEvent
from webhooks.relay import events_drain
from webhooks.tests.payloads import PHONE_NUMBER_ID, body_of, payload_of

pytestmark = pytest.mark.django_db

ANA = "US.13491208655302741918"
BEN = "BR.1502576394655843"


def bsuid_message(wamid: str, *, bsuid: str, phone: str = "", username: str = "", name: str = "", text: str = "Hi"):
    """One messages change as Meta sends it since 2026: the phone number only when the user shares it."""
    contact: dict = {"profile": {"name": name or username or "User"}, "user_id": bsuid}
    if username:
        contact["profile"]["username"] = username
    message = {
        "from_user_id": bsuid,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    if phone:
        contact["wa_id"] = phone
        message = {"from": phone, **message}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [contact],
        "messages": [message],
    }
    return body_of(payload_of({"value": value, "field": "messages"}))


def deliver(post_signed, *bodies: bytes) -> None:
    for body in bodies:
        assert post_signed(body).status_code == 200
    events_drain(batch_size=50)


@pytest.fixture(autouse=True)
def no_assistant(monkeypatch):
    monkeypatch.setattr("ai_conversations.services.assistant_enqueue_reply", lambda *, salon, message: None)


def test_two_phoneless_users_are_two_customers_and_never_an_existing_one(post_signed, fixture_salon):
    with salon_scope(fixture_salon):
        walk_in = CustomerFactory(salon=fixture_salon, phone="+4915112345678", wa_id="", name="Walk-in")
    deliver(
        post_signed,
        bsuid_message("wamid.A1", bsuid=ANA, username="ana.cuts"),
        bsuid_message("wamid.B1", bsuid=BEN, name="Ben"),
        bsuid_message("wamid.A2", bsuid=ANA, username="ana.cuts", text="again"),
    )
    customers = {c.bsuid: c for c in Customer.all_salons.filter(salon=fixture_salon).exclude(pk=walk_in.pk)}
    assert set(customers) == {ANA, BEN}
    ana, ben = customers[ANA], customers[BEN]
    assert (ana.phone, ana.wa_id, ana.username, ana.name) == ("", "", "ana.cuts", "ana.cuts")
    assert (ben.phone, ben.wa_id, ben.username, ben.name) == ("", "", "", "Ben")
    assert sorted(Message.all_salons.filter(customer=ana).values_list("wamid", flat=True)) == ["wamid.A1", "wamid.A2"]
    assert list(Message.all_salons.filter(customer=ben).values_list("wamid", flat=True)) == ["wamid.B1"]
    assert not Message.all_salons.filter(customer=walk_in).exists()


def test_a_phone_number_shared_later_joins_the_same_customer(post_signed, fixture_salon):
    deliver(post_signed, bsuid_message("wamid.1", bsuid=ANA, username="ana.cuts"))
    deliver(post_signed, bsuid_message("wamid.2", bsuid=ANA, username="ana.hair", phone="14155550123"))
    customer = Customer.all_salons.get(salon=fixture_salon)
    assert (customer.bsuid, customer.wa_id, customer.phone) == (ANA, "14155550123", "+14155550123")
    assert customer.username == "ana.hair"  # usernames change: the latest one is kept
    assert Message.all_salons.filter(customer=customer).count() == 2


def test_a_known_phone_customer_gets_the_bsuid_of_their_first_2026_message(post_signed, fixture_salon):
    with salon_scope(fixture_salon):
        known = CustomerFactory(salon=fixture_salon, phone="+14155550123", wa_id="14155550123")
    deliver(post_signed, bsuid_message("wamid.1", bsuid=ANA, phone="14155550123"))
    known.refresh_from_db()
    assert known.bsuid == ANA
    assert Customer.all_salons.filter(salon=fixture_salon).count() == 1


def test_the_bsuid_wins_over_the_phone_number(post_signed, fixture_salon):
    with salon_scope(fixture_salon):
        by_bsuid = CustomerFactory(salon=fixture_salon, phone="", wa_id="", bsuid=ANA)
        by_phone = CustomerFactory(salon=fixture_salon, phone="+14155550123", wa_id="14155550123")
    deliver(post_signed, bsuid_message("wamid.1", bsuid=ANA, phone="14155550123"))
    assert Message.all_salons.get(wamid="wamid.1").customer_id == by_bsuid.pk
    by_bsuid.refresh_from_db()
    assert by_bsuid.wa_id == ""  # another customer holds that number: never two customers with one id
    assert by_phone.pk != by_bsuid.pk


def test_a_phone_number_change_moves_the_customer_to_the_new_ids(post_signed, fixture_salon):
    deliver(post_signed, bsuid_message("wamid.1", bsuid=ANA, phone="14155550123"))
    change = {
        "from": "14155550123",
        "from_user_id": ANA,
        "id": "wamid.sys",
        "timestamp": str(int(time.time())),
        "type": "system",
        "system": {
            "body": "User Ana changed from 14155550123 to 14155550999",
            "wa_id": "14155550999",
            "user_id": "US.99999999999999999",
            "type": "user_changed_number",
        },
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "messages": [change],
    }
    deliver(post_signed, body_of(payload_of({"value": value, "field": "messages"})))
    customer = Customer.all_salons.get(salon=fixture_salon)
    assert (customer.wa_id, customer.phone, customer.bsuid) == ("14155550999", "+14155550999", "US.99999999999999999")
    deliver(post_signed, bsuid_message("wamid.2", bsuid="US.99999999999999999", phone="14155550999"))
    assert Customer.all_salons.filter(salon=fixture_salon).count() == 1


@pytest.mark.parametrize(
    "sender, reason",
    [
        ({"from_user_id": "not a bsuid"}, "not a business-scoped user ID"),
        ({}, "sender (from or from_user_id) is missing"),
        ({"from": "", "from_user_id": ""}, "sender (from or from_user_id) is missing"),
    ],
)
def test_a_message_from_nobody_is_invalid_and_matches_no_customer(post_signed, fixture_salon, sender, reason):
    with salon_scope(fixture_salon):
        CustomerFactory(salon=fixture_salon, wa_id="")
    message = {"id": "wamid.X", "timestamp": str(int(time.time())), "type": "text", "text": {"body": "x"}, **sender}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "X"}}],
        "messages": [message],
    }
    deliver(post_signed, body_of(payload_of({"value": value, "field": "messages"})))
    outcome = WebhookEvent.objects.get().results["0.0.m0"]
    assert outcome["status"] == ItemStatus.INVALID and reason in outcome["reason"]
    assert not Message.all_salons.exists()


def test_replies_to_a_bsuid_only_customer_go_by_recipient(
    post_signed, fixture_salon, django_capture_on_commit_callbacks
):
    deliver(post_signed, bsuid_message("wamid.1", bsuid=ANA, username="ana.cuts"))
    customer = Customer.all_salons.get(salon=fixture_salon)
    with salon_scope(fixture_salon), django_capture_on_commit_callbacks() as callbacks:
        sent = message_send_text(salon=fixture_salon, customer=customer, text="Hello Ana")
    assert sent.body["recipient"] == ANA and "to" not in sent.body
    assert len(enqueued_sends(callbacks)) == 1


def test_the_cost_of_a_message_to_a_bsuid_only_customer_follows_the_bsuids_country(post_signed, fixture_salon):
    with salon_scope(fixture_salon):
        customer = CustomerFactory(salon=fixture_salon, phone="", wa_id="", bsuid="DE.30712045919283746501")
        sent = MessageFactory(salon=fixture_salon, conversation__customer=customer, wamid="wamid.OUT")
    status = {
        "id": "wamid.OUT",
        "status": "sent",
        "timestamp": str(int(time.time())),
        "recipient_user_id": customer.bsuid,
        "pricing": {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Mia"}, "user_id": customer.bsuid}],
        "statuses": [status],
    }
    deliver(post_signed, body_of(payload_of({"value": value, "field": "messages"})))
    sent.refresh_from_db()
    assert (sent.cost, sent.cost_currency) == (Decimal("0.050600"), "EUR")  # the German utility rate


def test_the_bsuid_wins_even_over_a_phone_customer_who_has_a_conversation(post_signed, fixture_salon):
    with salon_scope(fixture_salon):
        by_bsuid = CustomerFactory(salon=fixture_salon, phone="", wa_id="", bsuid=ANA)  # never wrote yet
    deliver(post_signed, bsuid_message("wamid.0", bsuid=BEN, phone="14155550123"))  # the number's owner wrote before
    deliver(post_signed, bsuid_message("wamid.1", bsuid=ANA, phone="14155550123"))
    assert Message.all_salons.get(wamid="wamid.1").customer_id == by_bsuid.pk


def test_a_nul_in_a_phoneless_senders_profile_makes_the_message_invalid(post_signed, fixture_salon):
    body = bsuid_message("wamid.BAD", bsuid=ANA, name="Evil\u0000Name")
    deliver(post_signed, body)
    outcome = WebhookEvent.objects.get().results["0.0.m0"]
    assert outcome["status"] == ItemStatus.INVALID and outcome["reason"].startswith("contacts[0].profile.name")
    assert not Customer.all_salons.exists()
