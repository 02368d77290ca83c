"""The customer's own bookings: which one is meant (code, day, service or staff), then a proposal to move or cancel."""

from __future__ import annotations

from ai_conversations import actions
from ai_conversations.engine import Understanding
from ai_conversations.handlers.base import listing, when_json
from ai_conversations.handlers.booking import BookingMixin
from ai_conversations.models import Intent
from bookings.errors import BookingInvalid


class ChangesMixin(BookingMixin):
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

    def meant_booking(self, u: Understanding | None, upcoming: list):
        """The one upcoming booking the message points at, by its day, service or staff; None when not one.

        Returns ``(booking, day_used)``: ``day_used`` says the asked day named the booking (so it is not the
        new day of a move)."""
        if len(upcoming) == 1:
            only = upcoming[0]
            return only, u is not None and any(self._local_day(only) == d for d in u.when.days)
        if u is None:
            return None, False
        fits = upcoming
        if u.services:
            ids = {s.id for s in u.services}
            fits = [b for b in fits if b.service_id in ids] or fits
        if u.staff is not None:
            fits = [b for b in fits if b.staff_id == u.staff.id] or fits
        day_used = False
        for day in u.when.days:
            on_day = [b for b in fits if self._local_day(b) == day]
            if on_day:
                fits, day_used = on_day, True
                break
        return (fits[0], day_used) if len(fits) == 1 else (None, False)

    def _local_day(self, booking):
        return booking.starts_at.astimezone(self.turn.tz).date()

    def choose_booking(self, upcoming: list, *, step: str, prompt_key: str, row_prefix: str, **state) -> None:
        rows = [
            (f"{row_prefix}{b.code}", f"{b.code} · {self.when(b.starts_at)}", f"{b.service.name}, {b.staff.name}")
            for b in upcoming
        ]
        self.reset(step=step, **state)
        self.reply(listing(self.say(prompt_key), self.say("bookings_button"), rows))

    def _booking_for(
        self, codes: list[str], u: Understanding | None, *, step: str, prompt_key: str, prefix: str, **state
    ):
        """The booking a cancel or move is about, or None after saying why (not found, none, or asking which)."""
        if codes:
            booking = self.own_booking(codes)
            if booking is None:
                self.reset()
                self.reply(self.say("booking_not_found", code=codes[0]))
            return booking, False
        upcoming = actions.my_upcoming_bookings(self.turn)
        if not upcoming:
            self.reset()
            self.reply(self.say("no_bookings"))
            return None, False
        booking, day_used = self.meant_booking(u, upcoming)
        if booking is None:
            self.choose_booking(upcoming, step=step, prompt_key=prompt_key, row_prefix=prefix, **state)
        return booking, day_used

    # --- cancel -------------------------------------------------------------------------------------------------
    def cancel_flow(self, codes: list[str], u: Understanding | None = None) -> None:
        self.result.intent = Intent.CANCEL
        booking, _ = self._booking_for(
            codes, u, step="pick_cancel", prompt_key="which_booking_cancel", prefix="pick_cancel:"
        )
        if booking is not None:
            self.propose_cancel(booking)

    # --- reschedule ---------------------------------------------------------------------------------------------
    def reschedule_flow(
        self, codes: list[str], u: Understanding | None = None, *, day=None, at=None, part_of_day=None, after=None
    ) -> None:
        self.result.intent = Intent.RESCHEDULE
        booking, day_used = self._booking_for(
            codes,
            u,
            step="pick_reschedule",
            prompt_key="which_booking_reschedule",
            prefix="resched:",
            when=when_json(day, at, part_of_day, after),
        )
        if booking is None:
            return
        if day_used and u is not None:
            # "Move my Friday appointment (to Monday)": Friday named the booking; the new day is another one.
            others = [d for d in u.when.days if d != self._local_day(booking)]
            day = others[0] if others else None
        self.move_booking(booking, day=day, at=at, part_of_day=part_of_day, after=after)

    def move_booking(self, booking, *, day=None, at=None, part_of_day=None, after=None) -> None:
        self.result.intent = Intent.RESCHEDULE
        if day is None and at is not None:
            day = self._local_day(booking)  # "can we make it 5pm instead": the same day
        search = actions.find_slots(
            self.turn,
            service=booking.service,
            day=day,
            at=at,
            part_of_day=part_of_day,
            after=after,
            exclude_booking=booking,
        )
        if search.exact is not None:
            self.propose_reschedule(booking, search.exact)
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

    # --- reminder template buttons ------------------------------------------------------------------------------
    def reminder_reply(self, code: str, action: str) -> None:
        """Quick-reply buttons of the reminder template: handled by payload, never by guessing the text."""
        self.result.entities["booking_code"] = code
        if action == "cancel":
            self.cancel_flow([code])
            return
        if action == "reschedule":
            self.reschedule_flow([code])
            return
        self.result.intent = Intent.CONFIRM
        booking = actions.my_booking_by_code(self.turn, code)
        if booking is None:
            self.reply(self.say("booking_not_found", code=code))
            return
        if booking.status != "confirmed":
            # Confirming attendance changes no time and no booking: the button is itself the confirmation.
            try:
                booking = actions.confirm(self.turn, booking=booking)
            except BookingInvalid as exc:
                self.refuse(exc)
                return
        self.reset()
        self.reply(self.say("attendance_confirmed", when=self.when(booking.starts_at), code=booking.code))
