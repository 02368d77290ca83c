"""Conformance with pywa (pinned in requirements-dev.txt), a WhatsApp Cloud API client written independently of us.

- pywa sends every message type the app sends through the fake Graph API, which accepts both and records the same
  message content for the two (so the fake's rules and the app's payload builder agree with a third party);
- pywa parses every webhook the fake sends (statuses by phone and by BSUID, a username user's message with the phone
  withheld); failed statuses carry no ``contacts`` at Meta, so pywa (which needs them) skips those, and the app's
  handling of them is checked instead;
- the app accepts webhooks that pywa parses as the updates they are (pywa ships no webhook fixtures, so the bodies
  are built in the 2026 format and checked by pywa's own types before the app gets them signed).

pywa takes an ``httpx.Client``; its transport sends Graph requests to the fake instead of graph.facebook.com.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from pywa import WhatsApp, types
from pywa.types.templates import BodyText, QuickReplyButton, TemplateLanguage

from devtools.fake_graph import FakeGraphServer, WhatsAppUser, webhook_body
from devtools.testing.messaging import enqueued_sends
from devtools.tests.graph_templates import TEMPLATES
from messaging.models import Message
from messaging.services import message_send_text
from messaging.whatsapp import payloads
from messaging.whatsapp.client import WhatsAppClient
from salons.models import Customer
from salons.tenancy import salon_scope
from webhooks.relay import events_drain
from webhooks.tests import conftest as webhook_fixtures
from webhooks.tests.conftest import PHONE_NUMBER_ID, SECRET, WABA_ID

# The webhook tests' fixtures: their app secrets, the salon their bodies are addressed to, a signed-POST client.
_app_secrets = webhook_fixtures._app_secrets
fixture_salon = webhook_fixtures.fixture_salon
post_signed = webhook_fixtures.post_signed

PHONE, BSUID, TOKEN = "14155550123", "US.13491208655302741918", "fake-token"


class ToFake(httpx.BaseTransport):
    """Sends every request to the fake's host and port (pywa fixes its base URL to graph.facebook.com)."""

    def __init__(self, base_url: str):
        self.target = httpx.URL(base_url)
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host=self.target.host, port=self.target.port)
        return self.inner.handle_request(request)


@pytest.fixture
def fake():
    server = FakeGraphServer(app_secret=SECRET).start()
    server.register(
        phone_number_id=PHONE_NUMBER_ID, token=TOKEN, waba_id=WABA_ID, display_phone_number="+1 555 078 3881"
    )
    for template in TEMPLATES:
        server.add_template(WABA_ID, template)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def wa(fake):
    client = WhatsApp(
        phone_id=PHONE_NUMBER_ID,
        token=TOKEN,
        session=httpx.Client(transport=ToFake(fake.base_url)),
        server=None,
        verify_token="unused",
        app_secret=SECRET,
    )
    client.received = []
    client.on_message_status()(lambda _, update: client.received.append(update))
    client.on_message()(lambda _, update: client.received.append(update))
    client.on_callback_button()(lambda _, update: client.received.append(update))
    client.on_callback_selection()(lambda _, update: client.received.append(update))
    return client


def app(fake) -> WhatsAppClient:
    return WhatsAppClient(token=TOKEN, phone_number_id=PHONE_NUMBER_ID, waba_id=WABA_ID, base_url=fake.base_url)


def content(payload: dict) -> dict:
    """What a message says, whoever wrote the request: keys in Meta's case, defaults and index types aside."""
    body = payload[payload["type"]]
    if payload["type"] == "text":
        return {"body": body["body"], "context": payload.get("context")}
    if payload["type"] == "template":
        components = [
            {**c, "type": c["type"].lower(), **({"index": str(c["index"])} if "index" in c else {})}
            | ({"sub_type": c["sub_type"].lower()} if "sub_type" in c else {})
            for c in body.get("components", [])
        ]
        return {**body, "components": components}
    return body


def both_send(fake, app_send, pywa_send) -> tuple[dict, dict]:
    app_send()
    pywa_send()
    app_payload, pywa_payload = (s.payload for s in fake.sent[-2:])
    return app_payload, pywa_payload


def address_of(payload: dict) -> dict:
    return {k: payload[k] for k in ("to", "recipient") if payload.get(k)}


@pytest.mark.parametrize("to", [PHONE, BSUID])
def test_pywa_and_the_app_send_the_same_messages_through_the_fake(fake, wa, to):
    address = payloads.address(wa_id=PHONE) if to == PHONE else payloads.address(bsuid=BSUID)
    cases = [
        (
            lambda: app(fake).send(payloads.envelope(address, "text", payloads.text_content("Hello"), "wamid.IN")),
            lambda: wa.send_message(to=to, text="Hello", reply_to_message_id="wamid.IN"),
        ),
        (
            lambda: app(fake).send(
                payloads.envelope(
                    address,
                    "interactive",
                    payloads.validate_interactive(
                        {
                            "type": "button",
                            "body": {"text": "Book it?"},
                            "action": {
                                "buttons": [
                                    {"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                                    {"type": "reply", "reply": {"id": "no", "title": "No"}},
                                ]
                            },
                        }
                    ),
                )
            ),
            lambda: wa.send_message(
                to=to, text="Book it?", buttons=[types.Button("Yes", "yes"), types.Button("No", "no")]
            ),
        ),
        (
            lambda: app(fake).send(
                payloads.envelope(
                    address,
                    "interactive",
                    payloads.validate_interactive(
                        {
                            "type": "list",
                            "body": {"text": "Pick a time"},
                            "action": {
                                "button": "Times",
                                "sections": [
                                    {"title": "Today", "rows": [{"id": "t9", "title": "9:00", "description": "Anna"}]}
                                ],
                            },
                        }
                    ),
                )
            ),
            lambda: wa.send_message(
                to=to,
                text="Pick a time",
                buttons=types.SectionList(
                    button_title="Times",
                    sections=[
                        types.Section(
                            title="Today", rows=[types.SectionRow(title="9:00", callback_data="t9", description="Anna")]
                        )
                    ],
                ),
            ),
        ),
        (
            lambda: app(fake).send(
                payloads.envelope(
                    address,
                    "template",
                    payloads.template_content(
                        name="booking_confirmation",
                        language="en",
                        body_parameters=["Ana", "Friday"],
                        quick_reply_payloads=["confirm"],
                    ),
                )
            ),
            lambda: wa.send_template(
                to=to,
                name="booking_confirmation",
                language=TemplateLanguage.ENGLISH,
                params=[BodyText.params("Ana", "Friday"), QuickReplyButton.params(callback_data="confirm", index=0)],
            ),
        ),
        (
            lambda: app(fake).send(
                payloads.envelope(
                    address,
                    "template",
                    payloads.template_content(
                        name="reminder_named", language="en", body_parameters={"name": "Ana", "time": "10:00"}
                    ),
                )
            ),
            lambda: wa.send_template(
                to=to,
                name="reminder_named",
                language=TemplateLanguage.ENGLISH,
                params=[BodyText.params(name="Ana", time="10:00")],
            ),
        ),
    ]
    for app_send, pywa_send in cases:
        app_payload, pywa_payload = both_send(fake, app_send, pywa_send)
        assert address_of(app_payload) == address_of(pywa_payload)
        assert app_payload["type"] == pywa_payload["type"]
        assert content(app_payload) == content(pywa_payload)
    assert len(fake.sent) == 2 * len(cases)
    assert wa.mark_message_as_read("wamid.IN").success  # the fake answers read receipts (the app sends none)


@pytest.mark.parametrize("to, phone_shown", [(PHONE, True), (BSUID, False)])
def test_pywa_parses_every_status_webhook_the_fake_sends(fake, wa, to, phone_shown):
    sent = wa.send_message(to=to, text="Hello")
    bodies = fake.webhooks_for(sent.id)
    for body in bodies:
        assert wa.webhook_update_handler(body) == ("ok", 200)
    statuses = [u for u in wa.received if isinstance(u, types.MessageStatus)]
    assert [s.status for s in statuses] == [types.MessageStatusType.SENT, "delivered", "read"]
    assert all(s.id == sent.id and s.from_user.bsuid for s in statuses)
    assert all((s.from_user.wa_id == PHONE) == phone_shown for s in statuses)
    assert statuses[0].pricing is not None and statuses[0].metadata.display_phone_number == "15550783881"


def test_pywa_parses_a_username_users_message_with_the_phone_withheld(fake, wa):
    user = WhatsAppUser(bsuid=BSUID, wa_id=PHONE, username="ana.cuts", name="Ana", share_phone=False)
    value = fake.user_writes(user, text="Hi, a haircut tomorrow?", phone_number_id=PHONE_NUMBER_ID)
    wa.webhook_update_handler(webhook_body(WABA_ID, PHONE_NUMBER_ID, "15550783881", value))
    (message,) = wa.received
    assert isinstance(message, types.Message) and message.text == "Hi, a haircut tomorrow?"
    assert (message.from_user.bsuid, message.from_user.wa_id, message.from_user.username) == (BSUID, None, "ana.cuts")


def test_failed_statuses_come_without_contacts_and_the_app_applies_them(fake):
    fake.set_plan(fail_code=131026)
    wamid = app(fake).send(payloads.envelope(PHONE, "text", payloads.text_content("Hello")))
    (body,) = fake.webhooks_for(wamid)
    value = json.loads(body)["entry"][0]["changes"][0]["value"]
    assert "contacts" not in value and "recipient_user_id" not in value["statuses"][0]
    assert value["statuses"][0]["errors"][0]["code"] == 131026


def pywa_parsed(wa, body: bytes):
    wa.received.clear()
    assert wa.webhook_update_handler(body) == ("ok", 200)
    (update,) = wa.received
    return update


def message_body(user: WhatsAppUser, message: dict) -> bytes:
    value = {
        "contacts": [user.contact()],
        "messages": [
            {
                **({"from": user.wa_id} if user.share_phone else {}),
                "from_user_id": user.bsuid,
                "timestamp": str(int(time.time())),
                **message,
            }
        ],
    }
    return webhook_body(WABA_ID, PHONE_NUMBER_ID, "15550783881", value)


@pytest.mark.django_db
def test_the_app_accepts_what_pywa_parses(
    wa, fixture_salon, post_signed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("ai_conversations.services.assistant_enqueue_reply", lambda *, salon, message: None)
    ana = WhatsAppUser(bsuid=BSUID, username="ana.cuts", name="Ana", share_phone=False)
    ben = WhatsAppUser(bsuid="BR.1502576394655843", wa_id="5511987654321", name="Ben")
    bodies = [
        (message_body(ana, {"id": "wamid.T", "type": "text", "text": {"body": "Hi"}}), types.Message),
        (
            message_body(
                ana,
                {
                    "id": "wamid.B",
                    "context": {"from": "15550783881", "id": "wamid.OUT1"},  # a reply is always to our message
                    "type": "interactive",
                    "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}},
                },
            ),
            types.CallbackButton,
        ),
        (
            message_body(
                ben,
                {
                    "id": "wamid.L",
                    "context": {"from": "15550783881", "id": "wamid.OUT2"},
                    "type": "interactive",
                    "interactive": {"type": "list_reply", "list_reply": {"id": "t9", "title": "9:00"}},
                },
            ),
            types.CallbackSelection,
        ),
    ]
    for body, kind in bodies:
        assert isinstance(pywa_parsed(wa, body), kind)
        assert post_signed(body).status_code == 200
    events_drain(batch_size=10)
    customers = {c.bsuid: c for c in Customer.all_salons.filter(salon=fixture_salon)}
    assert customers[BSUID].phone == "" and customers[BSUID].username == "ana.cuts"
    assert customers["BR.1502576394655843"].phone == "+5511987654321"
    assert sorted(Message.all_salons.filter(salon=fixture_salon).values_list("wamid", flat=True)) == [
        "wamid.B",
        "wamid.L",
        "wamid.T",
    ]
    with salon_scope(fixture_salon), django_capture_on_commit_callbacks() as callbacks:
        reply = message_send_text(salon=fixture_salon, customer=customers[BSUID], text="Hi Ana")
    assert address_of(reply.body) == {"recipient": BSUID} and len(enqueued_sends(callbacks)) == 1
