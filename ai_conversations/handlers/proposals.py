"""The one confirmation rule: every create, reschedule and cancel is first a proposal, executed only when the customer
confirms that exact proposal.

A proposal is kept in the dialog state with a random id; its Yes/No buttons carry that id (``ok:<id>``/``no:<id>``).
A tap whose id is not the open proposal's (an old message, a second tap after it was done) changes nothing. A typed
"yes"/"no" answers the open proposal. The offline dialog and the LLM's write tools both propose through here, and
both confirmations are executed here (button taps and yes/no answers never go to the model).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from ai_conversations import actions
from ai_conversations.actions import Offer
from ai_conversations.handlers.base import DialogBase, buttons
from ai_conversations.models import Intent
from bookings.errors import BookingConflict, BookingInvalid
from config.api import DomainError

CREATE, RESCHEDULE, CANCEL = "create", "reschedule", "cancel"


def proposal_answer(payload: str) -> tuple[str, bool] | None:
    """``ok:<id>`` → (id, True), ``no:<id>`` → (id, False); anything else None."""
    kind, _, pid = payload.partition(":")
    if kind in ("ok", "no") and pid:
        return pid, kind == "ok"
    return None


class ProposalMixin(DialogBase):
    # --- proposing ----------------------------------------------------------------------------------------------
    def _propose(self, kind: str, body: str, yes_label: str, *, extra: list[tuple[str, str]] = (), **data) -> dict:
        proposal = {"id": secrets.token_hex(6), "kind": kind, **data}
        self.reset(step="confirm", proposal=proposal)
        self.result.entities["proposal"] = {"kind": kind, "id": proposal["id"]}
        options = [(f"ok:{proposal['id']}", yes_label), *extra, (f"no:{proposal['id']}", self.say("no"))]
        self.reply(buttons(body, options))
        return proposal

    def propose_create(self, service, offer: Offer) -> dict:
        staff = actions.staff_by_id(offer.staff_id)
        body = self.say(
            "confirm_booking",
            service=service.name,
            staff=self.say("with_staff", staff=staff.name) if staff else "",
            when=self.when(offer.starts_at),
            price=self.money(actions.price_for(service, staff), service.currency),
        )
        return self._propose(
            CREATE,
            body,
            self.say("yes_book"),
            extra=[("book:other", self.say("other_time"))],
            service_id=service.pk,
            staff_id=offer.staff_id,
            starts_at=int(offer.starts_at.timestamp()),
        )

    def propose_reschedule(self, booking, offer: Offer) -> dict:
        staff = actions.staff_by_id(offer.staff_id) or booking.staff
        body = self.say(
            "confirm_reschedule",
            service=booking.service.name,
            code=booking.code,
            old=self.when(booking.starts_at),
            when=self.when(offer.starts_at),
            staff=staff.name,
        )
        return self._propose(
            RESCHEDULE,
            body,
            self.say("yes_move"),
            booking_code=booking.code,
            staff_id=offer.staff_id,
            starts_at=int(offer.starts_at.timestamp()),
        )

    def propose_cancel(self, booking) -> dict:
        body = self.say(
            "confirm_cancel", service=booking.service.name, when=self.when(booking.starts_at), code=booking.code
        )
        return self._propose(CANCEL, body, self.say("yes_cancel"), booking_code=booking.code)

    # --- answering ----------------------------------------------------------------------------------------------
    def answer_proposal(self, pid: str | None, yes: bool) -> None:
        """The customer's Yes or No to proposal ``pid`` (None: to whatever proposal is open, a typed answer)."""
        self.result.intent = Intent.CONFIRM if yes else Intent.DECLINE
        proposal = self.state.get("proposal") or {}
        if not proposal or (pid is not None and proposal.get("id") != pid):
            # A stale or repeated tap: nothing to do, and the open proposal (if any) stays open.
            self.reply(self.say("nothing_pending"))
            return
        if not yes:
            self.reset()
            code = proposal.get("booking_code")
            self.reply(self.say("kept", code=code) if code else self.say("declined"))
            return
        self.reset()
        self.result.entities["proposal"] = {"kind": proposal["kind"], "id": proposal["id"], "answer": "yes"}
        starts_at = datetime.fromtimestamp(int(proposal["starts_at"]), tz=UTC) if "starts_at" in proposal else None
        offer = Offer(starts_at, int(proposal["staff_id"])) if starts_at is not None else None
        if proposal["kind"] == CREATE:
            self._execute_create(proposal, offer)
        elif proposal["kind"] == RESCHEDULE:
            self._execute_reschedule(proposal, offer)
        elif proposal["kind"] == CANCEL:
            self._execute_cancel(proposal)

    def _own(self, proposal: dict):
        booking = actions.my_booking_by_code(self.turn, proposal.get("booking_code", ""))
        if booking is None:
            self.reply(self.say("booking_not_found", code=proposal.get("booking_code", "")))
        return booking

    def _execute_create(self, proposal: dict, offer: Offer) -> None:
        service = actions.service_by_id(proposal.get("service_id"))
        if service is None:
            self.reply(self.say("unknown"))
            return
        try:
            booking = actions.book(
                self.turn, service=service, staff=actions.staff_by_id(offer.staff_id), starts_at=offer.starts_at
            )
        except BookingConflict as exc:
            offers = [Offer.from_alternative(a) for a in exc.alternatives]
            if not offers:
                self.offer(service)
                return
            self.offer_list(self.say("slot_taken"), offers, step="choose_slot", service_id=service.pk)
            return
        except BookingInvalid as exc:
            self.refuse(exc)
            return
        self.result.entities["booking_code"] = booking.code
        self.reset(last_booking_code=booking.code)
        self.reply(self.say("booked", **self.booking_params(booking)))

    def _execute_reschedule(self, proposal: dict, offer: Offer) -> None:
        booking = self._own(proposal)
        if booking is None:
            return
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
                self.reply(self.say("no_slots", service=booking.service.name))
            return
        except (BookingInvalid, DomainError) as exc:
            self.refuse(exc)
            return
        self.result.entities["booking_code"] = booking.code
        self.reply(self.say("rescheduled", **self.booking_params(booking)))

    def _execute_cancel(self, proposal: dict) -> None:
        booking = self._own(proposal)
        if booking is None:
            return
        try:
            booking = actions.cancel(self.turn, booking=booking)
        except (BookingInvalid, DomainError) as exc:
            self.refuse(exc)
            return
        self.result.entities["booking_code"] = booking.code
        self.reply(self.say("cancelled", **self.booking_params(booking)))
