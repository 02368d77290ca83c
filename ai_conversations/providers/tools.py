"""The LLM's tools: JSON schemas and their executors, each acting through ``ai_conversations.actions`` for the
conversation's own customer (no tool takes a customer, phone number or salon).

The write tools (create, reschedule, cancel) never write: they make the same proposal the offline dialog makes
(``handlers.proposals``), a summary with Yes/No buttons, and only the customer's Yes executes it."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ai_conversations import actions
from ai_conversations.actions import Turn
from ai_conversations.handlers.proposals import ProposalMixin
from bookings.errors import BookingConflict
from config.api import DomainError


def _fn(name: str, description: str, properties: dict | None = None, required: list[str] | None = None) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties or {}, "required": required or []},
        },
    }


_LOCAL_TIME = {"type": "string", "description": "Local date and time in the salon's zone, YYYY-MM-DDTHH:MM"}
TOOLS = [
    _fn("list_services", "The salon's services with id, duration and price."),
    _fn(
        "find_slots",
        "Free start times for a service. Give a date (YYYY-MM-DD) and/or time (HH:MM) the customer asked for; "
        "if that exact time is taken the nearest free times come back with asked_taken=true.",
        {
            "service_id": {"type": "integer"},
            "staff_id": {"type": "integer", "description": "Only if the customer asked for someone."},
            "date": {"type": "string"},
            "time": {"type": "string"},
            "part_of_day": {"type": "string", "enum": ["morning", "afternoon", "evening"]},
        },
        ["service_id"],
    ),
    _fn(
        "create_booking",
        "Propose booking a free slot returned by find_slots: the customer gets a summary with Yes/No buttons; "
        "nothing is booked until they tap Yes.",
        {"service_id": {"type": "integer"}, "starts_at": _LOCAL_TIME, "staff_id": {"type": "integer"}},
        ["service_id", "starts_at", "staff_id"],
    ),
    _fn(
        "reschedule_booking",
        "Propose moving one of this customer's bookings (by code) to a free slot: Yes/No buttons, nothing moves "
        "until they tap Yes.",
        {"code": {"type": "string"}, "starts_at": _LOCAL_TIME, "staff_id": {"type": "integer"}},
        ["code", "starts_at"],
    ),
    _fn(
        "cancel_booking",
        "Propose cancelling one of this customer's bookings by its code: Yes/No buttons, nothing is cancelled until "
        "they tap Yes.",
        {"code": {"type": "string"}},
        ["code"],
    ),
    _fn("not_understood", "Call when you cannot understand the customer's message at all."),
    _fn("list_my_bookings", "This customer's upcoming bookings."),
    _fn(
        "handoff_to_human",
        "Pass the conversation to the salon's staff (the customer asked for a person, or you cannot help).",
        {"reason": {"type": "string"}},
    ),
]

# Which intent a turn had, by the tools it used (the strongest first).
TOOL_INTENTS = [
    ("handoff_to_human", "talk_to_human"),
    ("cancel_booking", "cancel"),
    ("reschedule_booking", "reschedule"),
    ("create_booking", "book"),
    ("find_slots", "ask_availability"),
    ("list_my_bookings", "my_bookings"),
    ("list_services", "prices_services"),
]


class ToolError(Exception):
    pass


def _local(turn: Turn, value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ToolError("starts_at must look like 2026-05-01T15:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=turn.tz)


def _booking_out(turn: Turn, booking) -> dict:
    return {
        "code": booking.code,
        "service": booking.service.name,
        "staff": booking.staff.name,
        "starts_at": booking.starts_at.astimezone(turn.tz).strftime("%Y-%m-%dT%H:%M"),
        "price": str(booking.price),
        "currency": booking.currency,
        "status": booking.status,
    }


def _service(arguments: dict):
    service = actions.service_by_id(arguments.get("service_id"))
    if service is None:
        raise ToolError("unknown service_id: call list_services")
    return service


def _own_booking(turn: Turn, arguments: dict):
    booking = actions.my_booking_by_code(turn, str(arguments.get("code", "")))
    if booking is None:
        raise ToolError("no upcoming booking with that code for this customer")
    return booking


def _offers_out(turn: Turn, offers) -> list[dict]:
    names = {s.pk: s.name for s in actions.active_staff()}
    return [
        {
            "starts_at": o.starts_at.astimezone(turn.tz).strftime("%Y-%m-%dT%H:%M"),
            "staff_id": o.staff_id,
            "staff": names.get(o.staff_id, ""),
        }
        for o in offers
    ]


def run_tool(dialog: ProposalMixin, name: str, arguments: dict) -> dict:
    """Execute one tool call for the turn's customer; errors come back to the model as ``{"error": ...}``."""
    turn = dialog.turn
    try:
        if name in _PROPOSING:
            return _PROPOSING[name](dialog, arguments)
        return _run(turn, name, arguments)
    except BookingConflict as exc:
        offers = [actions.Offer.from_alternative(a) for a in exc.alternatives]
        return {"error": "that time is taken", "alternatives": _offers_out(turn, offers)}
    except (ToolError, DomainError) as exc:
        return {"error": getattr(exc, "message", None) or str(exc)}


def _run(turn: Turn, name: str, arguments: dict) -> dict:
    if name == "list_services":
        return {
            "services": [
                {
                    "id": s.pk,
                    "name": s.name,
                    "duration_minutes": s.duration_minutes,
                    "price": str(s.price),
                    "currency": s.currency or turn.salon.currency,
                }
                for s in actions.active_services()
            ]
        }
    if name == "find_slots":
        service = _service(arguments)
        try:
            day = date.fromisoformat(arguments["date"]) if arguments.get("date") else None
            at = time.fromisoformat(arguments["time"]) if arguments.get("time") else None
        except ValueError as exc:
            raise ToolError("date is YYYY-MM-DD, time is HH:MM") from exc
        search = actions.find_slots(
            turn,
            service=service,
            staff=actions.staff_by_id(arguments.get("staff_id")),
            day=day,
            at=at,
            part_of_day=arguments.get("part_of_day"),
        )
        return {"asked_taken": search.asked_taken, "slots": _offers_out(turn, search.offers)}
    if name == "list_my_bookings":
        return {"bookings": [_booking_out(turn, b) for b in actions.my_upcoming_bookings(turn)]}
    if name == "handoff_to_human":
        return {"handed_off": True}
    if name == "not_understood":
        return {"noted": True}
    raise ToolError(f"unknown tool {name}")


# --- write tools: proposals only ---------------------------------------------------------------------------------
def _free_offer(turn: Turn, *, service, arguments: dict, booking=None) -> actions.Offer:
    """The asked start as a free slot (the same search the dialog uses), else a ToolError naming nearby times."""
    local = _local(turn, arguments.get("starts_at")).astimezone(turn.tz)
    staff = actions.staff_by_id(arguments.get("staff_id"))
    search = actions.find_slots(
        turn, service=service, staff=staff, day=local.date(), at=local.time(), exclude_booking=booking
    )
    if search.exact is None:
        raise BookingConflict(
            "That time is not free.",
            alternatives=[{"starts_at": o.starts_at, "staff_id": o.staff_id} for o in search.offers],
        )
    return search.exact


def _proposal_out(proposal: dict) -> dict:
    return {
        "proposed": proposal["kind"],
        "awaiting_customer_confirmation": True,
        "note": "The customer got a summary with Yes/No buttons; nothing is done until they tap Yes.",
    }


def _propose_create(dialog: ProposalMixin, arguments: dict) -> dict:
    service = _service(arguments)
    offer = _free_offer(dialog.turn, service=service, arguments=arguments)
    return _proposal_out(dialog.propose_create(service, offer))


def _propose_reschedule(dialog: ProposalMixin, arguments: dict) -> dict:
    booking = _own_booking(dialog.turn, arguments)
    offer = _free_offer(dialog.turn, service=booking.service, arguments=arguments, booking=booking)
    return _proposal_out(dialog.propose_reschedule(booking, offer))


def _propose_cancel(dialog: ProposalMixin, arguments: dict) -> dict:
    return _proposal_out(dialog.propose_cancel(_own_booking(dialog.turn, arguments)))


_PROPOSING = {
    "create_booking": _propose_create,
    "reschedule_booking": _propose_reschedule,
    "cancel_booking": _propose_cancel,
}
