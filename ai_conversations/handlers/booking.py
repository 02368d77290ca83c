"""New bookings: which service, which free times (spread over the asked period), the chosen time as a proposal."""

from __future__ import annotations

from ai_conversations import actions
from ai_conversations.actions import Offer
from ai_conversations.handlers.base import HUMAN_PAYLOAD, buttons, listing, when_json
from ai_conversations.handlers.proposals import ProposalMixin
from ai_conversations.models import Intent


class BookingMixin(ProposalMixin):
    def book_flow(self, candidates, staff, *, day=None, at=None, part_of_day=None, after=None) -> None:
        services = actions.active_services()
        if len(candidates) == 1:
            service = actions.service_by_id(candidates[0].id)
        elif not candidates and len(services) == 1:
            service = services[0]
        else:
            service = None
        if service is not None:
            self.offer(service, staff=staff, day=day, at=at, part_of_day=part_of_day, after=after)
            return
        choices = [s for s in services if s.pk in {c.id for c in candidates}] if candidates else services
        self.reset(
            step="choose_service", staff_id=staff.pk if staff else None, when=when_json(day, at, part_of_day, after)
        )
        rows = [
            (f"svc:{s.pk}", s.name, f"{self.money(s.price, s.currency)} · {s.duration_minutes} {self.say('minutes')}")
            for s in choices
        ]
        if not rows:
            self.reply(self.say("unknown"))
            return
        key = "ask_service_ambiguous" if candidates else "ask_service"
        self.reply(listing(self.say(key), self.say("services_button"), rows))

    def offer(self, service, *, staff=None, day=None, at=None, part_of_day=None, after=None) -> None:
        search = actions.find_slots(
            self.turn, service=service, staff=staff, day=day, at=at, part_of_day=part_of_day, after=after
        )
        self.result.entities.setdefault("service_id", service.pk)
        if search.exact is not None:
            self.propose_create(service, search.exact)
            return
        if not search.offers:
            self.reset()
            self.reply(
                buttons(self.say("no_slots", service=service.name), [(HUMAN_PAYLOAD, self.say("talk_to_person"))])
            )
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

    def slot_chosen(self, offer: Offer) -> None:
        """A time from an offered list: proposed (a new booking, or the move of the booking being rescheduled)."""
        if self.state.get("step") == "choose_slot_reschedule":
            self.result.intent = Intent.RESCHEDULE
            booking = actions.my_booking_by_code(self.turn, self.state.get("booking_code", ""))
            if booking is None:
                self.reset()
                self.reply(self.say("booking_not_found", code=self.state.get("booking_code", "")))
                return
            self.propose_reschedule(booking, offer)
            return
        self.result.intent = Intent.BOOK
        service = actions.service_by_id(self.state_service_id())
        if service is None:
            self.reply(self.say("unknown"))
            return
        self.propose_create(service, offer)

    def state_service_id(self):
        """The service being booked: the offered list's, or the open proposal's."""
        return self.state.get("service_id") or (self.state.get("proposal") or {}).get("service_id")
