"""The offline booking dialog: one inbound message (text or button payload) in, replies and actions out.

It keeps what was offered and what awaits confirmation in ``AIConversation.dialog_state`` and acts only through
``ai_conversations.actions`` (so only for the conversation's customer, only through the bookings services). Each
intent has its handler (``HANDLERS``); the handlers live in ``ai_conversations.handlers``. No booking is created,
moved or cancelled without the customer confirming that exact proposal (``handlers.proposals``).
"""

from __future__ import annotations

import re

from ai_conversations import actions
from ai_conversations.actions import Offer, Turn
from ai_conversations.engine import Understanding, understand
from ai_conversations.handlers.base import HUMAN_PAYLOAD, Reply, TurnResult, buttons, listing
from ai_conversations.handlers.changes import ChangesMixin
from ai_conversations.handlers.info import InfoMixin
from ai_conversations.handlers.proposals import proposal_answer
from ai_conversations.models import Intent
from localization import salon_territory
from messaging.booking_templates import REMINDER_PAYLOAD

__all__ = ["Dialog", "Reply", "TurnResult", "buttons", "listing", "offline_turn"]

# Messages that may continue the previous question ("15:00", "Friday then", "the colour").
_FOLLOW_UP = (Intent.BOOK, Intent.ASK_AVAILABILITY, Intent.UNKNOWN, Intent.CONFIRM, Intent.GREETING, Intent.THANKS)


class Dialog(ChangesMixin, InfoMixin):
    """One turn of the offline dialog. ``state`` is the conversation's dialog_state, updated in place."""

    # --- entry points -------------------------------------------------------------------------------------------
    def handle(self, *, text: str, payload: str | None) -> TurnResult:
        self.text = text or ""
        if payload and self.handle_payload(payload):
            return self.result
        u = self.understand(text or "")
        self.result.intent = u.intent
        self.result.entities = u.entities()
        if not self.in_context(u):
            HANDLERS.get(u.intent, Dialog.not_understood)(self, u)
        return self.result

    def understand(self, text: str) -> Understanding:
        u = understand(
            text,
            services=actions.named(actions.active_services()),
            staff=actions.named(actions.active_staff()),
            tz=self.turn.tz,
            now=self.turn.now,
            language_hint=self.lang,
            territory=salon_territory(self.turn.salon),
        )
        self.turn.language = u.language
        self.note_register(text)
        return u

    def handle_payload(self, payload: str) -> bool:
        """Buttons and list rows. Returns False for a payload this dialog does not know (then the text is used)."""
        self.result.entities = {"payload": payload}
        match = REMINDER_PAYLOAD.match(payload)
        if match:
            self.reminder_reply(match["code"].upper(), match["action"])
            return True
        answer = proposal_answer(payload)
        if answer is not None:
            self.answer_proposal(*answer)
            return True
        if payload == HUMAN_PAYLOAD:
            self.result.intent = Intent.TALK_TO_HUMAN
            self.handoff("refusal")
            return True
        kind, _, rest = payload.partition(":")
        if kind == "svc":
            service = actions.service_by_id(rest)
            if service is None:
                return False
            self.result.intent = Intent.BOOK
            self.offer(service, staff=actions.staff_by_id(self.state.get("staff_id")), **self.stored_when())
            return True
        if kind == "slot":
            offer = Offer.from_payload(payload)
            if offer is None:
                return False
            self.slot_chosen(offer)
            return True
        if payload == "book:other":
            service = actions.service_by_id(self.state_service_id())
            if service is None:
                return False
            self.result.intent = Intent.BOOK
            self.offer(service, staff=None)
            return True
        if kind == "pick_cancel":
            self.cancel_flow([rest])
            return True
        if kind == "resched":
            self.reschedule_flow([rest], **self.stored_when())
            return True
        return False

    # --- understanding in the context of the previous question --------------------------------------------------
    def in_context(self, u: Understanding) -> bool:
        step = self.state.get("step")
        if step == "confirm" and u.intent in (Intent.CONFIRM, Intent.DECLINE):
            self.answer_proposal(None, u.intent == Intent.CONFIRM)
            return True
        if step in ("choose_slot", "choose_slot_reschedule"):
            offer = self.offered_match(u)
            if offer is not None:
                self.slot_chosen(offer)
                return True
            if step == "choose_slot_reschedule" and not u.when.is_empty and u.intent in _FOLLOW_UP:
                booking = actions.my_booking_by_code(self.turn, self.state.get("booking_code", ""))
                if booking is not None:
                    self.move_booking(booking, **self.when_kwargs(u))
                    return True
            if step == "choose_slot" and not u.when.is_empty and u.intent in _FOLLOW_UP and not u.services:
                service = actions.service_by_id(self.state.get("service_id"))
                if service is not None:
                    self.result.intent = Intent.BOOK
                    self.offer(service, staff=self.staff_of(u), **self.when_kwargs(u))
                    return True
        if step == "choose_service" and u.services and u.intent in (*_FOLLOW_UP, Intent.PRICES_SERVICES):
            self.result.intent = Intent.BOOK
            when = self.when_kwargs(u) if not u.when.is_empty else self.stored_when()
            self.book_flow(u.services, self.staff_of(u), **when)
            return True
        codes = self.codes_of(u) if step in ("pick_cancel", "pick_reschedule") else []
        if codes and u.intent in (*_FOLLOW_UP, Intent.CANCEL, Intent.RESCHEDULE):
            if step == "pick_cancel":
                self.cancel_flow(codes)
            else:
                self.reschedule_flow(codes, **self.stored_when())
            return True
        return False

    def offered_match(self, u: Understanding) -> Offer | None:
        """The offered slot the customer means: its number in the list, or its time (and day) typed out."""
        offered = [Offer.from_payload(p) for p in self.state.get("offered", [])]
        offered = [o for o in offered if o is not None]
        if not offered:
            return None
        number = re.fullmatch(r"\s*#?(\d{1,2})[.)]?\s*", self.text)
        if number and 1 <= int(number[1]) <= len(offered):
            return offered[int(number[1]) - 1]
        when = u.when
        if when.at is None:
            return None
        for offer in offered:
            local = offer.starts_at.astimezone(self.turn.tz)
            if local.time() == when.at and (when.day is None or when.day == local.date()):
                return offer
        return None

    # --- intent handlers ----------------------------------------------------------------------------------------
    def talk_to_human(self, u: Understanding) -> None:
        self.handoff(u.handoff or "person")

    def cancel(self, u: Understanding) -> None:
        self.cancel_flow(self.codes_of(u), u)

    def reschedule(self, u: Understanding) -> None:
        self.reschedule_flow(self.codes_of(u), u, **self.when_kwargs(u))

    def book(self, u: Understanding) -> None:
        self.book_flow(u.services, self.staff_of(u), **self.when_kwargs(u))

    def thanks(self, u: Understanding) -> None:
        self.reply(self.say("thanks"))

    def decline(self, u: Understanding) -> None:
        self.reset()
        self.reply(self.say("declined"))

    def not_understood(self, u: Understanding) -> None:
        self.reply(self.say("unknown"))


HANDLERS = {
    Intent.TALK_TO_HUMAN: Dialog.talk_to_human,
    Intent.CANCEL: Dialog.cancel,
    Intent.RESCHEDULE: Dialog.reschedule,
    Intent.MY_BOOKINGS: Dialog.my_bookings,
    Intent.BOOK: Dialog.book,
    Intent.ASK_AVAILABILITY: Dialog.book,
    Intent.PRICES_SERVICES: Dialog.prices,
    Intent.OPENING_HOURS: Dialog.hours,
    Intent.LOCATION: Dialog.location,
    Intent.THANKS: Dialog.thanks,
    Intent.CONFIRM: Dialog.thanks,
    Intent.DECLINE: Dialog.decline,
    Intent.GREETING: Dialog.greeting,
}


def offline_turn(turn: Turn, *, text: str, payload: str | None) -> tuple[TurnResult, dict]:
    """Run the offline dialog for one message; returns the result and the new dialog state."""
    dialog = Dialog(turn)
    result = dialog.handle(text=text, payload=payload)
    return result, dialog.state
