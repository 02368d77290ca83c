"""The webhooks the fake sends, in Meta's 2026 format: signed bodies, WhatsApp users (business-scoped user IDs,
usernames, phone numbers shared or withheld), status webhooks with ``contacts`` and inbound messages.

Since April 2026 Meta puts the user's BSUID (``user_id``) in every message webhook and the phone number (``wa_id``,
``from``, ``recipient_id``) only when it may be shared; delivered and read statuses carry the username; failed
statuses carry no ``contacts`` (and no ``recipient_user_id`` when the message was sent to a phone number).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import phonenumbers

from devtools.fake_graph.errors import error_envelope


def sign(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def default_display_number(phone_number_id: str) -> str:
    """A stable display number for a phone number id nobody named (Meta's test numbers are +1 555 …)."""
    digits = "".join(ch for ch in phone_number_id if ch.isdigit()) or "0"
    return "1555" + digits[-7:].rjust(7, "0")


@dataclass
class WhatsAppUser:
    """A WhatsApp user as the fake's business sees them."""

    bsuid: str
    wa_id: str = ""
    username: str = ""
    name: str = ""
    share_phone: bool = True  # False: a username user whose phone number is withheld from webhooks

    def contact(self, *, with_username: bool = True, phone_known: bool = False) -> dict:
        """The ``contacts[]`` entry: user_id always, wa_id only when the phone number may be shared."""
        profile: dict[str, str] = {"name": self.name or self.username or "WhatsApp user"}
        if with_username and self.username:
            profile["username"] = self.username
        contact: dict[str, Any] = {"profile": profile}
        if self.wa_id and (self.share_phone or phone_known):
            contact["wa_id"] = self.wa_id
        contact["user_id"] = self.bsuid
        return contact


def bsuid_for_phone(wa_id: str, salt: str = "") -> str:
    """The BSUID Meta would give this phone number's user (stable per business; country from the number)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse("+" + wa_id.lstrip("+"))) or "US"
    except phonenumbers.NumberParseException:
        region = "US"
    digest = hashlib.sha256(f"{salt}:{wa_id}".encode()).hexdigest()
    return f"{region}.{int(digest[:16], 16)}"


def webhook_body(waba_id: str, phone_number_id: str, display: str, value: dict) -> bytes:
    """The exact bytes Meta would POST for one ``messages`` change: compact JSON with non-ASCII escaped.

    ``value`` holds ``statuses`` or ``messages`` (and ``contacts``); a list is taken as statuses."""
    if isinstance(value, list):
        value = {"statuses": value}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display or default_display_number(phone_number_id),
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()


def status_value(status: dict, user: WhatsAppUser, *, by_phone: bool) -> dict:
    """The ``value`` of a status webhook: the status, and the contact except for failed ones (as at Meta)."""
    status = dict(status)
    if status["status"] == "failed":
        if by_phone:
            status.pop("recipient_user_id", None)
        return {"statuses": [status]}
    contact = user.contact(with_username=status["status"] in ("delivered", "read"), phone_known=by_phone)
    return {"contacts": [contact], "statuses": [status]}


def build_statuses(
    *, wamid: str, user: WhatsAppUser, by_phone: bool, names: list[str], pricing: tuple[str, str, bool], fail_code
) -> list[dict]:
    """The status objects for one accepted send, in order (each later one a second after the previous)."""
    pricing_type, category, billable = pricing
    now = int(time.time())
    statuses = []
    for offset, name in enumerate(names):
        status: dict[str, Any] = {"id": wamid, "status": name, "timestamp": str(now + offset)}
        if user.wa_id and (by_phone or user.share_phone):
            status["recipient_id"] = user.wa_id
        status["recipient_user_id"] = user.bsuid
        if name in ("sent", "delivered"):
            status["pricing"] = {
                "billable": billable,
                "pricing_model": "PMP",
                "type": pricing_type,
                "category": category,
            }
        if name == "failed":
            error = error_envelope(fail_code or 131026)[1]["error"]
            title = error["message"].split(") ", 1)[-1]
            status["errors"] = [
                {
                    "code": error["code"],
                    "title": title,
                    "message": title,
                    "error_data": {"details": error["error_data"]["details"]},
                }
            ]
        statuses.append(status)
    return statuses


def inbound_value(user: WhatsAppUser, *, text: str = "", message: dict | None = None) -> dict:
    """The ``value`` of an inbound message webhook from ``user`` (a text, or ``message``'s type and content)."""
    content = message or {"type": "text", "text": {"body": text}}
    sent: dict[str, Any] = {}
    if user.wa_id and user.share_phone:
        sent["from"] = user.wa_id
    sent.update(
        {
            "from_user_id": user.bsuid,
            "id": "wamid." + secrets.token_urlsafe(24),
            "timestamp": str(int(time.time())),
            **content,
        }
    )
    return {"contacts": [user.contact()], "messages": [sent]}
