"""What every intent handler uses: the turn's result, its replies (text, buttons, lists), language and formatting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from ai_conversations import actions
from ai_conversations.actions import Turn
from ai_conversations.engine import Understanding
from ai_conversations.engine.language import customer_register
from ai_conversations.engine.replies import MESSAGES, clip, format_money, format_when, t
from ai_conversations.models import Intent
from localization import customer_locale

# WhatsApp limits (Cloud API): list row title 24, description 72, button title 20.
ROW_TITLE = 24
ROW_DESCRIPTION = 72
BUTTON_TITLE = 20
# The button that offers a person (after a refusal, when nothing is free).
HUMAN_PAYLOAD = "human"


@dataclass
class Reply:
    """One outbound message: plain text, or a Cloud API ``interactive`` object (buttons or a list)."""

    text: str
    interactive: dict | None = None

    def summary(self) -> str:
        if not self.interactive:
            return self.text
        action = self.interactive.get("action") or {}
        titles = [b["reply"]["title"] for b in action.get("buttons", [])]
        titles += [row["title"] for section in action.get("sections", []) for row in section.get("rows", [])]
        return self.text + ("\n[" + " | ".join(titles) + "]" if titles else "")


@dataclass
class TurnResult:
    replies: list[Reply] = field(default_factory=list)
    intent: str = Intent.UNKNOWN
    entities: dict = field(default_factory=dict)
    handoff_reason: str | None = None
    # None: decided by the intent (the offline engine); the LLM path says True or False itself.
    understood: bool | None = None

    @property
    def not_understood(self) -> bool:
        return self.understood is False or (self.understood is None and self.intent == Intent.UNKNOWN)


def buttons(body: str, options: list[tuple[str, str]]) -> Reply:
    return Reply(
        body,
        {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": pid, "title": clip(title, BUTTON_TITLE)}}
                    for pid, title in options
                ]
            },
        },
    )


def listing(body: str, button: str, rows: list[tuple[str, str, str]]) -> Reply:
    return Reply(
        body,
        {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": clip(button, BUTTON_TITLE),
                "sections": [
                    {
                        "rows": [
                            {"id": rid, "title": clip(title, ROW_TITLE), "description": clip(desc, ROW_DESCRIPTION)}
                            for rid, title, desc in rows[: actions.MAX_OFFERED]
                        ]
                    }
                ],
            },
        },
    )


def when_json(day: date | None, at: time | None, part_of_day: str | None, after: time | None = None) -> dict:
    return {
        "date": day.isoformat() if day else None,
        "time": at.strftime("%H:%M") if at else None,
        "part_of_day": part_of_day,
        "after": after.strftime("%H:%M") if after else None,
    }


class DialogBase:
    """One turn's context. ``state`` is the conversation's dialog_state, replaced by ``reset``."""

    def __init__(self, turn: Turn):
        self.turn = turn
        self.state: dict = dict(turn.conversation.dialog_state or {})
        self.result = TurnResult()
        self.text = ""

    @property
    def lang(self) -> str:
        return self.turn.language

    def say(self, key: str, **params) -> str:
        return t(self.lang, key, formal=self.formal, **params)

    @property
    def formal(self) -> bool:
        """Formal address: the customer's own register where they showed one, else the salon's setting."""
        register = self.state.get("register")
        return register == "formal" if register else self.turn.formal

    def note_register(self, text: str) -> None:
        register = customer_register(text, self.lang)
        if register:
            self.state["register"] = register

    def reply(self, reply: Reply | str) -> None:
        self.result.replies.append(reply if isinstance(reply, Reply) else Reply(reply))

    def refuse(self, exc) -> None:
        """Why bookings refused, in the customer's language when bookings said why, with a person on offer."""
        key = f"reason_{getattr(exc, 'reason', '')}"
        text = self.say(key, **exc.params) if key in MESSAGES else exc.message
        self.reset()
        self.reply(buttons(self.say("booking_invalid", reason=text), [(HUMAN_PAYLOAD, self.say("talk_to_person"))]))

    @property
    def locale(self):
        """How the customer reads dates and money: their language as written in their phone's country or the
        salon's (localization)."""
        return customer_locale(self.lang, phone=self.turn.customer.phone, salon=self.turn.salon)

    def when(self, moment: datetime) -> str:
        return format_when(moment, self.lang, self.turn.tz, locale=self.locale)

    def money(self, amount, currency: str | None = None) -> str:
        return format_money(amount, currency or self.turn.salon.currency, self.lang, locale=self.locale)

    def reset(self, **keep) -> None:
        """A new dialog state with ``keep``; the customer's register stays."""
        keep.setdefault("register", self.state.get("register"))
        self.state = {k: v for k, v in keep.items() if v is not None}

    def staff_names(self) -> dict[int, str]:
        return {s.pk: s.name for s in actions.active_staff()}

    @staticmethod
    def when_kwargs(u: Understanding) -> dict:
        return {"day": u.when.day, "at": u.when.at, "part_of_day": u.when.part_of_day, "after": u.when.after}

    def stored_when(self) -> dict:
        stored = self.state.get("when") or {}
        return {
            "day": date.fromisoformat(stored["date"]) if stored.get("date") else None,
            "at": time.fromisoformat(stored["time"]) if stored.get("time") else None,
            "part_of_day": stored.get("part_of_day"),
            "after": time.fromisoformat(stored["after"]) if stored.get("after") else None,
        }

    @staticmethod
    def staff_of(u: Understanding):
        return actions.staff_by_id(u.staff.id) if u.staff else None

    def booking_params(self, booking) -> dict:
        """What the replies say about a booking (unused keys are ignored by the phrases that do not show them)."""
        return {
            "code": booking.code,
            "service": booking.service.name,
            "staff": booking.staff.name,
            "when": self.when(booking.starts_at),
            "price": self.money(booking.price, booking.currency),
        }
