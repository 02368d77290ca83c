"""The offline booking dialog: one inbound message (text or button payload) in, replies and actions out.

It keeps what was offered and what awaits confirmation in ``AIConversation.dialog_state`` and acts only through
``ai_conversations.actions`` (so only for the conversation's customer, only through the bookings services).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from ai_conversations import actions
from ai_conversations.actions import Offer, Turn
from ai_conversations.engine import Understanding, understand
from ai_conversations.engine.replies import STRINGS, WEEKDAYS, clip, format_money, format_when, t
from ai_conversations.models import Intent
from config.api import DomainError
from messaging.booking_templates import REMINDER_PAYLOAD
from salons.localization import customer_locale, format_clock, salon_territory

# WhatsApp limits (Cloud API): list row title 24, description 72, button title 20.
ROW_TITLE = 24
ROW_DESCRIPTION = 72
BUTTON_TITLE = 20


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
    # None: decided by the intent (the offline engine); the LLM path says True (it answered, whatever the intent).
    understood: bool | None = None

    @property
    def not_understood(self) -> bool:
        return self.understood is False or (self.understood is None and self.intent == Intent.UNKNOWN)


# --- message builders -------------------------------------------------------------------------------------------
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


# --- the turn ---------------------------------------------------------------------------------------------------
class Dialog:
    """One turn of the offline dialog. ``state`` is the conversation's dialog_state, updated in place."""

    def __init__(self, turn: Turn):
        self.turn = turn
        self.state: dict = dict(turn.conversation.dialog_state or {})
        self.result = TurnResult()
        self.text = ""

    # helpers
    @property
    def lang(self) -> str:
        return self.turn.language

    def say(self, key: str, **params) -> str:
        return t(self.lang, key, **params)

    def refusal(self, exc) -> str:
        """Why bookings refused, in the customer's language when bookings said why (its reason code)."""
        key = f"reason_{getattr(exc, 'reason', '')}"
        text = t(self.lang, key, **exc.params) if key in STRINGS else exc.message
        return self.say("booking_invalid", reason=text)

    def reply(self, reply: Reply | str) -> None:
        self.result.replies.append(reply if isinstance(reply, Reply) else Reply(reply))

    @property
    def locale(self):
        """How the customer reads dates and money: their language as written in their phone's country or the
        salon's (salons.localization)."""
        return customer_locale(self.lang, phone=self.turn.customer.phone, salon=self.turn.salon)

    def when(self, moment: datetime) -> str:
        return format_when(moment, self.lang, self.turn.tz, locale=self.locale)

    def money(self, amount, currency: str | None = None) -> str:
        return format_money(amount, currency or self.turn.salon.currency, self.lang, locale=self.locale)

    def reset(self, **keep) -> None:
        self.state = {k: v for k, v in keep.items() if v is not None}

    def staff_names(self) -> dict[int, str]:
        return {s.pk: s.name for s in actions.active_staff()}

    # entry points
    def handle(self, *, text: str, payload: str | None) -> TurnResult:
        self.text = text or ""
        if payload and self.handle_payload(payload):
            return self.result
        understanding = understand(
            text or "",
            services=actions.named(actions.active_services()),
            staff=actions.named(actions.active_staff()),
            tz=self.turn.tz,
            now=self.turn.now,
            language_hint=self.lang,
            territory=salon_territory(self.turn.salon),
        )
        self.turn.language = understanding.language
        self.result.intent = understanding.intent
        self.result.entities = understanding.entities()
        if not self.in_context(understanding):
            self.by_intent(understanding)
        return self.result

    def handle_payload(self, payload: str) -> bool:
        """Buttons and list rows. Returns False for a payload this dialog does not know (then the text is used)."""
        self.result.entities = {"payload": payload}
        match = REMINDER_PAYLOAD.match(payload)
        if match:
            self.reminder_reply(match["code"].upper(), match["action"])
            return True
        kind, _, rest = payload.partition(":")
        if kind == "svc":
            self.result.intent = Intent.BOOK
            service = actions.service_by_id(rest)
            if service is None:
                return False
            self.offer(service, staff=actions.staff_by_id(self.state.get("staff_id")), **self.stored_when())
            return True
        if kind == "slot":
            offer = Offer.from_payload(payload)
            if offer is None:
                return False
            self.slot_chosen(offer)
            return True
        if kind == "book":
            self.result.intent = {"yes": Intent.CONFIRM, "no": Intent.DECLINE}.get(rest, Intent.BOOK)
            if rest == "yes":
                self.book_pending()
            elif rest == "other":
                service = actions.service_by_id(self.state.get("service_id"))
                if service is None:
                    return False
                self.offer(service, staff=None)
            else:
                self.reset()
                self.reply(self.say("declined"))
            return True
        if kind == "cancel":
            code, _, answer = rest.partition(":")
            self.result.intent = Intent.CANCEL if answer == "yes" else Intent.DECLINE
            if answer == "yes":
                self.cancel_code(code)
            else:
                self.reset()
                self.reply(self.say("kept", code=code))
            return True
        if kind == "resched":
            self.result.intent = Intent.RESCHEDULE
            self.reschedule_code(rest, **self.stored_when())
            return True
        return False

    # understanding in the context of the previous question
    def in_context(self, u: Understanding) -> bool:
        step = self.state.get("step")
        if step == "confirm_booking" and u.intent in (Intent.CONFIRM, Intent.DECLINE):
            if u.intent == Intent.CONFIRM:
                self.book_pending()
            else:
                self.reset()
                self.reply(self.say("declined"))
            return True
        if step == "confirm_cancel" and u.intent in (Intent.CONFIRM, Intent.DECLINE):
            code = self.state.get("booking_code", "")
            if u.intent == Intent.CONFIRM:
                self.result.intent = Intent.CANCEL
                self.cancel_code(code)
            else:
                self.reset()
                self.reply(self.say("kept", code=code))
            return True
        if step in ("choose_slot", "choose_slot_reschedule"):
            offer = self.offered_match(u)
            if offer is not None:
                self.result.intent = Intent.RESCHEDULE if step == "choose_slot_reschedule" else Intent.BOOK
                self.slot_chosen(offer)
                return True
            if step == "choose_slot_reschedule" and not u.when.is_empty and u.intent in _FOLLOW_UP:
                self.result.intent = Intent.RESCHEDULE
                self.reschedule_code(self.state.get("booking_code", ""), **self.when_kwargs(u))
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
                self.result.intent = Intent.CANCEL
                self.cancel_codes(codes)
            else:
                self.result.intent = Intent.RESCHEDULE
                self.reschedule_codes(codes, **self.stored_when())
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

    def by_intent(self, u: Understanding) -> None:
        intent = u.intent
        if intent == Intent.TALK_TO_HUMAN:
            self.handoff("customer asked for a person")
        elif intent == Intent.CANCEL:
            self.cancel_codes(self.codes_of(u))
        elif intent == Intent.RESCHEDULE:
            self.reschedule_codes(self.codes_of(u), **self.when_kwargs(u))
        elif intent == Intent.MY_BOOKINGS:
            self.my_bookings()
        elif intent in (Intent.BOOK, Intent.ASK_AVAILABILITY):
            self.book_flow(u.services, self.staff_of(u), **self.when_kwargs(u))
        elif intent == Intent.PRICES_SERVICES:
            self.prices()
        elif intent == Intent.OPENING_HOURS:
            self.hours()
        elif intent == Intent.LOCATION:
            self.location()
        elif intent in (Intent.THANKS, Intent.CONFIRM):
            self.reply(self.say("thanks"))
        elif intent == Intent.DECLINE:
            self.reset()
            self.reply(self.say("declined"))
        elif intent == Intent.GREETING:
            first_name = (self.turn.customer.name or "").split(" ")[0]
            self.reply(self.say("greeting", name=f" {first_name}" if first_name else "", salon=self.turn.salon.name))
        else:
            self.reply(self.say("unknown"))

    # --- booking ------------------------------------------------------------------------------------------------
    def when_kwargs(self, u: Understanding) -> dict:
        return {"day": u.when.day, "at": u.when.at, "part_of_day": u.when.part_of_day}

    def stored_when(self) -> dict:
        stored = self.state.get("when") or {}
        return {
            "day": date.fromisoformat(stored["date"]) if stored.get("date") else None,
            "at": time.fromisoformat(stored["time"]) if stored.get("time") else None,
            "part_of_day": stored.get("part_of_day"),
        }

    @staticmethod
    def _when_json(day, at, part_of_day) -> dict:
        return {
            "date": day.isoformat() if day else None,
            "time": at.strftime("%H:%M") if at else None,
            "part_of_day": part_of_day,
        }

    def staff_of(self, u: Understanding):
        return actions.staff_by_id(u.staff.id) if u.staff else None

    def book_flow(self, candidates, staff, *, day=None, at=None, part_of_day=None) -> None:
        services = actions.active_services()
        if len(candidates) == 1:
            service = actions.service_by_id(candidates[0].id)
        elif not candidates and len(services) == 1:
            service = services[0]
        else:
            service = None
        if service is None:
            choices = [s for s in services if s.pk in {c.id for c in candidates}] if candidates else services
            self.reset(
                step="choose_service",
                staff_id=staff.pk if staff else None,
                when=self._when_json(day, at, part_of_day),
            )
            rows = [
                (
                    f"svc:{s.pk}",
                    s.name,
                    f"{self.money(s.price, s.currency)} · {s.duration_minutes} {self.say('minutes')}",
                )
                for s in choices
            ]
            if not rows:
                self.reply(self.say("unknown"))
                return
            key = "ask_service_ambiguous" if candidates else "ask_service"
            self.reply(listing(self.say(key), self.say("services_button"), rows))
            return
        self.offer(service, staff=staff, day=day, at=at, part_of_day=part_of_day)

    def offer(self, service, *, staff=None, day=None, at=None, part_of_day=None) -> None:
        search = actions.find_slots(self.turn, service=service, staff=staff, day=day, at=at, part_of_day=part_of_day)
        self.result.entities.setdefault("service_id", service.pk)
        if search.exact is not None:
            self.ask_confirmation(service, search.exact)
            return
        if not search.offers:
            self.reset()
            self.reply(self.say("no_slots", service=service.name))
            return
        staff_part = self.say("with_staff", staff=staff.name) if staff else ""
        if search.asked_taken:
            body = self.say("asked_taken", when=self.when(search.asked), service=service.name)
        else:
            body = self.say("offer_slots", service=service.name, staff=staff_part)
        self.offer_list(body, search.offers, step="choose_slot", service_id=service.pk)

    def offer_list(self, body: str, offers: list[Offer], *, step: str, **state) -> None:
        names = self.staff_names()
        rows = [(o.payload, self.when(o.starts_at), names.get(o.staff_id, "")) for o in offers]
        self.reset(step=step, offered=[o.payload for o in offers], **state)
        self.reply(listing(body, self.say("times_button"), rows))

    def ask_confirmation(self, service, offer: Offer) -> None:
        staff = actions.staff_by_id(offer.staff_id)
        price = actions.price_for(service, staff)
        body = self.say(
            "confirm_booking",
            service=service.name,
            staff=self.say("with_staff", staff=staff.name) if staff else "",
            when=self.when(offer.starts_at),
            price=self.money(price, service.currency),
        )
        self.reset(
            step="confirm_booking",
            service_id=service.pk,
            pending={"starts_at": int(offer.starts_at.timestamp()), "staff_id": offer.staff_id},
        )
        self.reply(
            buttons(
                body,
                [
                    ("book:yes", self.say("yes_book")),
                    ("book:other", self.say("other_time")),
                    ("book:no", self.say("no")),
                ],
            )
        )

    def slot_chosen(self, offer: Offer) -> None:
        if self.state.get("step") == "choose_slot_reschedule":
            self.result.intent = Intent.RESCHEDULE
            booking = actions.my_booking_by_code(self.turn, self.state.get("booking_code", ""))
            if booking is None:
                self.reset()
                self.reply(self.say("booking_not_found", code=self.state.get("booking_code", "")))
                return
            self.do_reschedule(booking, offer)
            return
        self.result.intent = Intent.BOOK
        service = actions.service_by_id(self.state.get("service_id"))
        if service is None:
            self.reply(self.say("unknown"))
            return
        self.ask_confirmation(service, offer)

    def book_pending(self) -> None:
        from bookings.errors import BookingConflict, BookingInvalid

        self.result.intent = Intent.CONFIRM
        pending = self.state.get("pending") or {}
        service = actions.service_by_id(self.state.get("service_id"))
        if service is None or not pending:
            self.reset()
            self.reply(self.say("unknown"))
            return
        staff = actions.staff_by_id(pending.get("staff_id"))
        starts_at = datetime.fromtimestamp(int(pending["starts_at"]), tz=UTC)
        try:
            booking = actions.book(self.turn, service=service, staff=staff, starts_at=starts_at)
        except BookingConflict as exc:
            offers = [Offer.from_alternative(a) for a in exc.alternatives]
            if not offers:
                self.offer(service)
                return
            self.offer_list(self.say("slot_taken"), offers, step="choose_slot", service_id=service.pk)
            return
        except BookingInvalid as exc:
            self.reset()
            self.reply(self.refusal(exc))
            return
        self.result.entities["booking_code"] = booking.code
        self.reset(last_booking_code=booking.code)
        self.reply(self.say("booked", **self.booking_params(booking)))

    def booking_params(self, booking) -> dict:
        """What the replies say about a booking (unused keys are ignored by the phrases that do not show them)."""
        return {
            "code": booking.code,
            "service": booking.service.name,
            "staff": booking.staff.name,
            "when": self.when(booking.starts_at),
            "price": self.money(booking.price, booking.currency),
        }

    # --- existing bookings --------------------------------------------------------------------------------------
    def codes_of(self, u: Understanding) -> list[str]:
        """Codes written as codes; else a lower-case word that is one of this customer's booking codes."""
        if u.codes:
            return u.codes
        return [code for code in u.loose_codes if actions.my_booking_by_code(self.turn, code) is not None][:1]

    def own_booking(self, codes: list[str]):
        for code in codes:
            booking = actions.my_booking_by_code(self.turn, code)
            if booking is not None:
                return booking
        return None

    def choose_booking(self, *, step: str, prompt_key: str, row_prefix: str, row_suffix: str = "", **state) -> bool:
        """Ask which upcoming booking is meant; returns False when there are none (and says so)."""
        upcoming = actions.my_upcoming_bookings(self.turn)
        if not upcoming:
            self.reset()
            self.reply(self.say("no_bookings"))
            return False
        rows = [
            (
                f"{row_prefix}{b.code}{row_suffix}",
                f"{b.code} · {self.when(b.starts_at)}",
                f"{b.service.name}, {b.staff.name}",
            )
            for b in upcoming
        ]
        self.reset(step=step, **state)
        self.reply(listing(self.say(prompt_key), self.say("bookings_button"), rows))
        return True

    def cancel_codes(self, codes: list[str]) -> None:
        self.result.intent = Intent.CANCEL
        if codes:
            booking = self.own_booking(codes)
            if booking is None:
                self.reset()
                self.reply(self.say("booking_not_found", code=codes[0]))
                return
            self.do_cancel(booking)
            return
        upcoming = actions.my_upcoming_bookings(self.turn)
        if len(upcoming) == 1:
            booking = upcoming[0]
            self.reset(step="confirm_cancel", booking_code=booking.code)
            body = self.say(
                "confirm_cancel", service=booking.service.name, when=self.when(booking.starts_at), code=booking.code
            )
            self.reply(
                buttons(
                    body,
                    [(f"cancel:{booking.code}:yes", self.say("yes")), (f"cancel:{booking.code}:no", self.say("no"))],
                )
            )
            return
        self.choose_booking(
            step="pick_cancel", prompt_key="which_booking_cancel", row_prefix="cancel:", row_suffix=":yes"
        )

    def cancel_code(self, code: str) -> None:
        self.cancel_codes([code])

    def do_cancel(self, booking) -> None:
        from bookings.errors import BookingInvalid

        try:
            booking = actions.cancel(self.turn, booking=booking)
        except (BookingInvalid, DomainError) as exc:
            self.reset()
            self.reply(self.refusal(exc))
            return
        self.result.entities["booking_code"] = booking.code
        self.reset()
        self.reply(self.say("cancelled", **self.booking_params(booking)))

    def reschedule_codes(self, codes: list[str], *, day=None, at=None, part_of_day=None) -> None:
        self.result.intent = Intent.RESCHEDULE
        booking = self.own_booking(codes) if codes else None
        if codes and booking is None:
            self.reset()
            self.reply(self.say("booking_not_found", code=codes[0]))
            return
        if booking is None:
            upcoming = actions.my_upcoming_bookings(self.turn)
            if len(upcoming) == 1:
                booking = upcoming[0]
            else:
                self.choose_booking(
                    step="pick_reschedule",
                    prompt_key="which_booking_reschedule",
                    row_prefix="resched:",
                    when=self._when_json(day, at, part_of_day),
                )
                return
        search = actions.find_slots(
            self.turn, service=booking.service, day=day, at=at, part_of_day=part_of_day, exclude_booking=booking
        )
        if search.exact is not None:
            self.do_reschedule(booking, search.exact)
            return
        if not search.offers:
            self.reset()
            self.reply(self.say("no_slots", service=booking.service.name))
            return
        if search.asked_taken:
            body = self.say("asked_taken", when=self.when(search.asked), service=booking.service.name)
        else:
            body = self.say("pick_new_time", service=booking.service.name, code=booking.code)
        self.offer_list(body, search.offers, step="choose_slot_reschedule", booking_code=booking.code)

    def reschedule_code(self, code: str, **when) -> None:
        self.reschedule_codes([code], **when)

    def do_reschedule(self, booking, offer: Offer) -> None:
        from bookings.errors import BookingConflict, BookingInvalid

        try:
            booking = actions.reschedule(
                self.turn, booking=booking, starts_at=offer.starts_at, staff=actions.staff_by_id(offer.staff_id)
            )
        except BookingConflict as exc:
            offers = [Offer.from_alternative(a) for a in exc.alternatives]
            if offers:
                self.offer_list(
                    self.say("slot_taken"), offers, step="choose_slot_reschedule", booking_code=booking.code
                )
            else:
                self.reset()
                self.reply(self.say("no_slots", service=booking.service.name))
            return
        except (BookingInvalid, DomainError) as exc:
            self.reset()
            self.reply(self.refusal(exc))
            return
        self.result.entities["booking_code"] = booking.code
        self.reset()
        self.reply(self.say("rescheduled", **self.booking_params(booking)))

    def reminder_reply(self, code: str, action: str) -> None:
        """Quick-reply buttons of the reminder template: handled by payload, never by guessing the text."""
        from bookings.errors import BookingInvalid

        self.result.entities["booking_code"] = code
        if action == "cancel":
            self.cancel_codes([code])
            return
        if action == "reschedule":
            self.reschedule_codes([code])
            return
        self.result.intent = Intent.CONFIRM
        booking = actions.my_booking_by_code(self.turn, code)
        if booking is None:
            self.reply(self.say("booking_not_found", code=code))
            return
        if booking.status != "confirmed":
            try:
                booking = actions.confirm(self.turn, booking=booking)
            except BookingInvalid as exc:
                self.reply(self.refusal(exc))
                return
        self.reset()
        self.reply(self.say("attendance_confirmed", when=self.when(booking.starts_at), code=booking.code))

    def my_bookings(self) -> None:
        upcoming = actions.my_upcoming_bookings(self.turn)
        if not upcoming:
            self.reply(self.say("no_bookings"))
            return
        lines = "\n".join(
            f"• {b.code}: {b.service.name}, {self.when(b.starts_at)} ({b.staff.name})" for b in upcoming[:10]
        )
        self.reply(self.say("my_bookings", lines=lines))

    # --- information --------------------------------------------------------------------------------------------
    def prices(self) -> None:
        lines = "\n".join(
            f"• {s.name}: {self.money(s.price, s.currency)} · {s.duration_minutes} {self.say('minutes')}"
            for s in actions.active_services()[:30]
        )
        self.reply(self.say("prices", lines=lines or "—"))

    def hours(self) -> None:
        hours = actions.opening_hours()
        lines = []
        for weekday, name in enumerate(WEEKDAYS[self.lang if self.lang in WEEKDAYS else "en"]):
            if weekday in hours:
                opens, closes = hours[weekday]
                lines.append(f"{name}: {format_clock(opens, self.locale)}–{format_clock(closes, self.locale)}")
            else:
                lines.append(f"{name}: {self.say('closed')}")
        self.reply(self.say("hours", lines="\n".join(lines)))

    def location(self) -> None:
        address = (self.turn.salon.address or "").strip()
        if address:
            self.reply(self.say("location", salon=self.turn.salon.name, address=address))
        else:
            self.reply(self.say("location_unknown"))

    def handoff(self, reason: str) -> None:
        self.result.handoff_reason = reason
        self.reset()
        self.reply(self.say("handoff"))


# Messages that may continue the previous question ("15:00", "Friday then", "the colour").
_FOLLOW_UP = (Intent.BOOK, Intent.ASK_AVAILABILITY, Intent.UNKNOWN, Intent.CONFIRM, Intent.GREETING, Intent.THANKS)


def offline_turn(turn: Turn, *, text: str, payload: str | None) -> tuple[TurnResult, dict]:
    """Run the offline dialog for one message; returns the result and the new dialog state."""
    dialog = Dialog(turn)
    result = dialog.handle(text=text, payload=payload)
    return result, dialog.state
