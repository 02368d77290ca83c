"""Meta's webhook bodies for the tests: the byte-exact fixture copies with the signatures Meta sent, and payloads built
the way Meta builds them."""

from __future__ import annotations

import json
import time
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"


def fixture_body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_signatures() -> dict[str, str]:
    """``SIGNATURES.txt``: body file name -> the X-Hub-Signature-256 header Meta sent for it."""
    signatures = {}
    for line in (FIXTURES / "SIGNATURES.txt").read_text().splitlines():
        name, header, *_ = line.split()
        signatures[name] = header
    return signatures


def body_of(payload: dict) -> bytes:
    """A body the way Meta serialises it: compact JSON, non-ASCII escaped."""
    return json.dumps(payload, separators=(",", ":")).encode()


def messages_change(*, phone_number_id: str = PHONE_NUMBER_ID, messages=(), statuses=(), contacts=None) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = contacts or [
            {"profile": {"name": "Sheena Nelson"}, "wa_id": str(messages[0].get("from", "16505551234"))}
        ]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"value": value, "field": "messages"}


def payload_of(*changes: dict, waba_id: str = WABA_ID) -> dict:
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": list(changes)}]}


def text_message(wamid: str, text: str = "Hi", sender: str = "16505551234") -> dict:
    timestamp = str(int(time.time()))  # recent: the 24 h window is computed from it
    return {"from": sender, "id": wamid, "timestamp": timestamp, "type": "text", "text": {"body": text}}


def status_update(wamid: str, status: str, timestamp: int, recipient: str = "16505551234") -> dict:
    return {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": recipient}
