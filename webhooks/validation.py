"""Items of a webhook that can never be processed: why, in one sentence, before anything is dispatched.

Such an item (a sender that is not a WhatsApp id, a NUL character PostgreSQL cannot store, a timestamp no clock
reaches) would fail on every retry and hold its whole event in the retry loop; instead it is marked invalid once with
its reason and the rest of the event is processed. Reasons quote the offending value escaped (``printable``), so they
can be stored and logged.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from salons.models import BSUID_PATTERN

# A WhatsApp id is the customer's phone number in international format, digits only (E.164: at most 15).
_WA_ID = re.compile(r"[1-9][0-9]{5,14}")
_BSUID = re.compile(BSUID_PATTERN)
_MAX_ID_LENGTH = 255  # messaging_message.wamid
# A message or status timestamp later than this past our clock is no time Meta sends.
_FUTURE_SLACK = timedelta(days=1)
_MAX_DEPTH = 64


def printable(value: Any, limit: int = 80) -> str:
    """``value`` as text that PostgreSQL and a log line accept: NUL and unpaired surrogates escaped, shortened."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(f"\\u{ord(ch):04x}" if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def _unstorable(text: str) -> str:
    if "\x00" in text:
        return "a NUL character"
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return "an unpaired surrogate (not UTF-8)"
    return ""


def text_problem(data: Any, where: str = "") -> str:
    """Why some string in ``data`` (keys included) cannot be stored, with its path; "" when all can."""
    stack: list[tuple[Any, str, int]] = [(data, where, 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return f"{path or 'value'} is nested deeper than {_MAX_DEPTH} levels"
        if isinstance(node, str):
            problem = _unstorable(node)
            if problem:
                return f"{path or 'value'} contains {problem}"
        elif isinstance(node, dict):
            for key, child in node.items():
                problem = _unstorable(str(key))
                if problem:
                    return f"a key in {path or 'value'} contains {problem}"
                stack.append((child, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(node, list):
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(node))
    return ""


def timestamp_problem(value: Any, *, now: datetime | None = None) -> str:
    """Why a Cloud API ``timestamp`` (seconds since 1970, as a string) is not a time; "" when it is (or absent)."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return f"timestamp {printable(text)} is not a time in seconds since 1970"
    limit = (now or timezone.now()) + _FUTURE_SLACK
    if int(text) > limit.timestamp():
        return f"timestamp {printable(text)} is in the future"
    return ""


def _id_problem(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        return f"{what} is missing"
    if len(value) > _MAX_ID_LENGTH:
        return f"{what} is longer than {_MAX_ID_LENGTH} characters"
    return ""


def wa_id_problem(value: Any, what: str = "sender (from)") -> str:
    """Why ``value`` is not a WhatsApp id (the digits of a phone number); "" when it is."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else None
    if text is None or not text:
        return f"{what} is missing"
    if not text.isascii() or not _WA_ID.fullmatch(text):
        return f"{what} {printable(text)} is not a WhatsApp id (the digits of a phone number)"
    return ""


def bsuid_problem(value: Any, what: str = "sender (from_user_id)") -> str:
    """Why ``value`` is not a business-scoped user ID (US.13491208655302741918); "" when it is."""
    if not isinstance(value, str) or not value:
        return f"{what} is missing"
    if not value.isascii() or not _BSUID.fullmatch(value):
        return f"{what} {printable(value)} is not a business-scoped user ID"
    return ""


def sender_problem(message: dict) -> str:
    """Why the sender is nobody we can know: a phone number (``from``) or a BSUID (``from_user_id``) is needed, and
    each one given must be well formed (since 2026 a user with a username may withhold the phone number)."""
    sender, bsuid = message.get("from"), message.get("from_user_id")
    if sender in (None, "") and bsuid in (None, ""):
        return "sender (from or from_user_id) is missing"
    return (wa_id_problem(sender) if sender not in (None, "") else "") or (
        bsuid_problem(bsuid) if bsuid not in (None, "") else ""
    )


def message_problem(message: Any, value: dict) -> str:
    """Why an inbound message can never be stored; "" when it can."""
    if not isinstance(message, dict):
        return f"message is not an object ({type(message).__name__})"
    sender = message.get("from")
    problem = (
        text_problem(message)
        or sender_problem(message)
        or _id_problem(message.get("id"), "message id")
        or timestamp_problem(message.get("timestamp"))
    )
    if problem:
        return problem
    for i, contact in enumerate(value.get("contacts") or [] if isinstance(value.get("contacts"), list) else []):
        if isinstance(contact, dict) and (
            str(contact.get("wa_id")) == str(sender)
            or (message.get("from_user_id") and contact.get("user_id") == message.get("from_user_id"))
        ):
            problem = text_problem(contact, f"contacts[{i}]")
            if problem:
                return problem
    return ""


def status_problem(status: Any) -> str:
    """Why a delivery status can never be applied; "" when it can."""
    if not isinstance(status, dict):
        return f"status is not an object ({type(status).__name__})"
    return (
        text_problem(status) or _id_problem(status.get("id"), "status id") or timestamp_problem(status.get("timestamp"))
    )


def item_problem(kind: str, payload: Any, value: dict) -> str:
    """Why the item (``message``, ``status`` or ``template``) can never be processed; "" when it may be."""
    if kind == "message":
        return message_problem(payload, value)
    if kind == "status":
        return status_problem(payload)
    if kind == "template":
        return text_problem(value, "value")
    return ""
