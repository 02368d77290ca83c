"""The control endpoints of a running fake (``manage.py fake_whatsapp`` or a test's server), under ``/_fake/``:

``GET sent``; ``POST fail`` {"code": 131047, "count": 1}, ``POST timeout`` {"count": 1}, ``POST server_error``
{"count": 1, "status": 503}, ``POST plan`` {"statuses": [...], "duplicates", "reorder", "skip_delivered",
"fail_code", "delay"}, ``POST reset``, ``POST inbound`` {"phone_number_id", "text", "wa_id", "user_id", "username",
"name", "withhold_phone"} (a user writes: a signed message webhook to the callback; answers its ``value``).
A body that does not fit is a 400 naming the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from devtools.fake_graph.state import StatusPlan
from devtools.fake_graph.webhooks import WhatsAppUser, bsuid_for_phone

if TYPE_CHECKING:  # the server module imports this one
    from devtools.fake_graph.server import FakeGraphServer

PLAN_FIELDS = set(StatusPlan.__dataclass_fields__)


class ControlError(ValueError):
    pass


def _int(body: dict, key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or value is None:
        raise ControlError(f"{key} must be a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{key} must be a number") from None


def control(fake: FakeGraphServer, method: str, action: str, body: Any) -> tuple[int, dict]:
    """(HTTP status, answer) of one control request."""
    if action == "sent" and method == "GET":
        return 200, {
            "sent": [{"phone_number_id": s.phone_number_id, "wamid": s.wamid, "payload": s.payload} for s in fake.sent]
        }
    if method != "POST":
        return 405, {"error": "use POST"}
    if not isinstance(body, dict):
        return 400, {"error": "the body must be a JSON object"}
    try:
        return 200, _post(fake, action, body)
    except ControlError as exc:
        return 400, {"error": str(exc)}
    except LookupError:
        return 404, {"error": f"unknown control {action!r}"}


def _post(fake: FakeGraphServer, action: str, body: dict) -> dict:
    if action == "fail":
        fake.fail_next(_int(body, "code"), _int(body, "count", 1))
    elif action == "timeout":
        fake.timeout_next(_int(body, "count", 1))
    elif action == "server_error":
        fake.server_error_next(_int(body, "count", 1), _int(body, "status", 503))
    elif action == "reset":
        fake.state.reset()
    elif action == "plan":
        unknown = set(body) - PLAN_FIELDS
        if unknown:
            raise ControlError(f"unknown plan fields: {', '.join(sorted(unknown))}")
        try:
            fake.set_plan(**body)
        except (TypeError, ValueError) as exc:
            raise ControlError(str(exc)) from None
    elif action == "inbound":
        return {
            "value": fake.user_writes(
                _user_of(body),
                text=str(body.get("text") or "Hi"),
                phone_number_id=str(body.get("phone_number_id") or ""),
            )
        }
    else:
        raise LookupError(action)
    return {"ok": True}


def _user_of(body: dict) -> WhatsAppUser:
    wa_id = str(body.get("wa_id") or "").lstrip("+")
    bsuid = str(body.get("user_id") or "") or (bsuid_for_phone(wa_id) if wa_id else "")
    if not bsuid:
        raise ControlError("give wa_id or user_id")
    return WhatsAppUser(
        bsuid=bsuid,
        wa_id=wa_id,
        username=str(body.get("username") or ""),
        name=str(body.get("name") or ""),
        share_phone=not body.get("withhold_phone"),
    )
