"""The fake Graph API refuses what Meta refuses (code and HTTP status), and the app's payload builder never trips it:
each rule is tested both ways, the refusal with a raw payload and the app's nearest legal payload accepted."""

from __future__ import annotations

import json

import httpx
import pytest

from devtools.fake_graph import FakeGraphServer
from devtools.fake_graph.errors import THROTTLING_CODES
from devtools.tests.graph_templates import TEMPLATES
from messaging.whatsapp import payloads
from messaging.whatsapp.client import WhatsAppClient
from messaging.whatsapp.errors import ThrottledError

PHONE_NUMBER_ID, WABA_ID, TOKEN = "106540352242922", "102290129340398", "fake-token"
BSUID = "US.13491208655302741918"


@pytest.fixture
def fake():
    server = FakeGraphServer().start()
    server.register(phone_number_id=PHONE_NUMBER_ID, token=TOKEN, waba_id=WABA_ID)
    for template in TEMPLATES:
        server.add_template(WABA_ID, template)
    server.add_template(
        WABA_ID,
        {"name": "paused_promo", "language": "en", "status": "PAUSED", "category": "MARKETING", "components": []},
    )
    try:
        yield server
    finally:
        server.stop()


def post(fake, body: dict) -> httpx.Response:
    return httpx.post(
        f"{fake.base_url}/v23.0/{PHONE_NUMBER_ID}/messages", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )


def app_client(fake) -> WhatsAppClient:
    return WhatsAppClient(token=TOKEN, phone_number_id=PHONE_NUMBER_ID, waba_id=WABA_ID, base_url=fake.base_url)


def buttons(n: int, title: str = "Option") -> dict:
    return {
        "type": "button",
        "body": {"text": "Pick one"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": f"{title}{i}"}} for i in range(n)]},
    }


def list_of(rows: int) -> dict:
    return {
        "type": "list",
        "body": {"text": "Pick a time"},
        "action": {
            "button": "Times",
            "sections": [{"title": "Today", "rows": [{"id": f"r{i}", "title": f"{9 + i}:00"} for i in range(rows)]}],
        },
    }


def template(name: str, params: list | dict, language: str = "en") -> dict:
    return payloads.template_content(name=name, language=language, body_parameters=params)


REFUSED = [
    ("4 reply buttons", payloads.envelope("14155550123", "interactive", buttons(4)), 131009),
    (
        "a 25-character button title",
        payloads.envelope("14155550123", "interactive", buttons(1, title="x" * 24)),
        100,
    ),
    ("11 list rows", payloads.envelope("14155550123", "interactive", list_of(11)), 131009),
    ("a 4,097-character text", payloads.envelope("14155550123", "text", {"body": "x" * 4097}), 100),
    ("an empty text", payloads.envelope("14155550123", "text", {"body": ""}), 131008),
    ("no recipient", {"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}}, 131008),
    ("a malformed BSUID", payloads.envelope({"recipient": "13491208655302741918"}, "text", {"body": "hi"}), 100),
    ("an unknown template", payloads.envelope("14155550123", "template", template("nope", [])), 132001),
    (
        "a wrong template parameter count",
        payloads.envelope("14155550123", "template", template("booking_confirmation", ["Ana"])),
        132000,
    ),
    (
        "positional parameters for a named template",
        payloads.envelope("14155550123", "template", template("reminder_named", ["Ana", "10:00"])),
        132012,
    ),
    ("a paused template", payloads.envelope("14155550123", "template", template("paused_promo", [])), 132015),
]


@pytest.mark.parametrize("what, body, code", REFUSED, ids=[r[0] for r in REFUSED])
def test_the_fake_refuses_what_meta_refuses(fake, what, body, code):
    response = post(fake, body)
    error = response.json()["error"]
    assert error["code"] == code and error["error_data"]["details"]
    assert response.status_code == (404 if code == 132001 else 400)
    assert fake.sent == []


# The app's builder refuses every one of those before anything is sent (its own rule set, written apart).
@pytest.mark.parametrize(
    "build",
    [
        lambda: payloads.validate_interactive(buttons(4)),
        lambda: payloads.validate_interactive(buttons(1, title="x" * 24)),
        lambda: payloads.validate_interactive(list_of(11)),
        lambda: payloads.text_content("x" * 4097),
        lambda: payloads.text_content(""),
        lambda: payloads.address(wa_id="", bsuid=""),
    ],
    ids=["4 buttons", "25-char title", "11 rows", "4097 chars", "empty text", "no recipient"],
)
def test_the_apps_builder_refuses_them_first(build):
    with pytest.raises(payloads.PayloadError):
        build()


@pytest.mark.parametrize(
    "content",
    [
        ("text", payloads.text_content("x" * payloads.TEXT_MAX)),
        ("interactive", payloads.validate_interactive(buttons(payloads.REPLY_BUTTONS_MAX, title="y" * 19))),
        ("interactive", payloads.validate_interactive(list_of(payloads.LIST_ROWS_MAX))),
        ("template", template("booking_confirmation", ["Ana", "Friday"])),
        ("template", template("reminder_named", {"name": "Ana", "time": "10:00"})),
    ],
    ids=["longest text", "3 buttons, 20-char titles", "10 rows", "positional template", "named template"],
)
@pytest.mark.parametrize("address", [payloads.address(wa_id="14155550123"), payloads.address(bsuid=BSUID)])
def test_what_the_apps_builder_makes_at_the_limits_is_accepted(fake, content, address):
    type_, built = content
    wamid = app_client(fake).send(payloads.envelope(address, type_, built))
    assert wamid.startswith("wamid.") and fake.sent[-1].payload[type_] == built


@pytest.mark.parametrize("code", sorted(THROTTLING_CODES))
def test_throttling_codes_answer_429_and_the_app_reads_them_as_throttling(fake, code):
    fake.fail_next(code)
    response = post(fake, payloads.envelope("14155550123", "text", payloads.text_content("hi")))
    assert response.status_code == 429 and response.json()["error"]["code"] == code
    fake.fail_next(code)
    with pytest.raises(ThrottledError):
        app_client(fake).send(payloads.envelope("14155550123", "text", payloads.text_content("hi")))


def test_a_send_by_bsuid_answers_user_id_and_by_phone_wa_id(fake):
    by_bsuid = post(fake, payloads.envelope({"recipient": BSUID}, "text", {"body": "hi"})).json()
    by_phone = post(fake, payloads.envelope("14155550123", "text", {"body": "hi"})).json()
    assert by_bsuid["contacts"] == [{"input": BSUID, "user_id": BSUID}]
    assert by_phone["contacts"] == [{"input": "14155550123", "wa_id": "14155550123"}]


def test_control_endpoints_work_over_http(fake):
    """As ``manage.py fake_whatsapp`` is driven: each control changes what the next send gets."""
    control = f"{fake.base_url}/_fake"
    assert httpx.post(f"{control}/fail", json={"code": 131047, "count": 1}).json() == {"ok": True}
    assert post(fake, payloads.envelope("14155550123", "text", {"body": "hi"})).json()["error"]["code"] == 131047
    assert httpx.post(f"{control}/server_error", json={"count": 1, "status": 502}).status_code == 200
    assert post(fake, payloads.envelope("14155550123", "text", {"body": "hi"})).status_code == 502
    assert httpx.post(f"{control}/plan", json={"statuses": ["sent"], "delay": 0}).status_code == 200
    assert post(fake, payloads.envelope("14155550123", "text", {"body": "hi"})).status_code == 200
    assert [s["status"] for s in fake.statuses_for()] == ["sent"]
    assert httpx.get(f"{control}/sent").json()["sent"][0]["payload"]["text"] == {"body": "hi"}
    assert httpx.post(f"{control}/fail", json={"count": 1}).status_code == 400  # no code
    assert httpx.post(f"{control}/plan", json={"nonsense": 1}).status_code == 400
    assert httpx.post(f"{control}/nope", json={}).status_code == 404
    fake.timeout_seconds = 0.5
    assert httpx.post(f"{control}/timeout", json={"count": 1}).status_code == 200
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{fake.base_url}/v23.0/{PHONE_NUMBER_ID}/messages",
            json=payloads.envelope("14155550123", "text", {"body": "hi"}),
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=0.2,
        )
    assert httpx.post(f"{control}/reset", json={}).status_code == 200
    assert fake.sent == []


def test_status_webhooks_carry_contacts_and_a_display_number(fake):
    post(fake, payloads.envelope({"recipient": BSUID}, "text", {"body": "hi"}))
    values = [json.loads(body)["entry"][0]["changes"][0]["value"] for body in fake.webhooks_for()]
    assert [v["statuses"][0]["status"] for v in values] == ["sent", "delivered", "read"]
    assert all(v["metadata"]["display_phone_number"] for v in values)
    assert all(v["contacts"][0]["user_id"] == BSUID and "wa_id" not in v["contacts"][0] for v in values)
    assert all(v["statuses"][0]["recipient_user_id"] == BSUID for v in values)
