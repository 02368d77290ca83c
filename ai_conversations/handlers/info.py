"""Questions (my bookings, prices, hours, location), greetings, and handing the conversation to a person."""

from __future__ import annotations

from urllib.parse import quote_plus

from ai_conversations import actions
from ai_conversations.engine import Understanding
from ai_conversations.engine.replies import weekday_names
from ai_conversations.handlers.base import DialogBase
from localization import format_clock

# Why a conversation went to the staff's queue (AIConversation.handoff_reason), by the engine's handoff kind.
HANDOFF_REASONS = {
    "person": "customer asked for a person",
    "complaint": "complaint",
    "late": "customer is running late",
    "location": "asked for directions; the salon has no address on file",
    "refusal": "customer asked for a person after a refusal",
}


def map_link(address: str) -> str:
    return "https://www.google.com/maps/search/?api=1&query=" + quote_plus(address)


class InfoMixin(DialogBase):
    def my_bookings(self, u: Understanding | None = None) -> None:
        upcoming = actions.my_upcoming_bookings(self.turn)
        if not upcoming:
            self.reply(self.say("no_bookings"))
            return
        lines = "\n".join(
            f"• {b.code}: {b.service.name}, {self.when(b.starts_at)} ({b.staff.name})" for b in upcoming[:10]
        )
        self.reply(self.say("my_bookings", lines=lines))

    def prices(self, u: Understanding | None = None) -> None:
        """The asked services' prices, or the whole list when none was named."""
        services = actions.active_services()
        if u is not None and u.services:
            asked = {s.id for s in u.services}
            services = [s for s in services if s.pk in asked] or services
        lines = "\n".join(
            f"• {s.name}: {self.money(s.price, s.currency)} · {s.duration_minutes} {self.say('minutes')}"
            for s in services[:30]
        )
        self.reply(self.say("prices", lines=lines or "—"))

    def hours(self, u: Understanding | None = None) -> None:
        """The asked day's hours, or the week's."""
        hours = actions.opening_hours()
        names = weekday_names(self.lang, self.locale)
        weekdays = range(7)
        if u is not None and u.when.day is not None:
            weekdays = [u.when.day.weekday()]
        lines = []
        for weekday in weekdays:
            if weekday in hours:
                opens, closes = (format_clock(moment, self.locale) for moment in hours[weekday])
                lines.append(f"{names[weekday]}: {opens}–{closes}")
            else:
                lines.append(f"{names[weekday]}: {self.say('closed')}")
        self.reply(self.say("hours", lines="\n".join(lines)))

    def location(self, u: Understanding | None = None) -> None:
        address = (self.turn.salon.address or "").strip()
        if not address:
            self.handoff("location")
            return
        self.reply(
            self.say("location", salon=self.turn.salon.name, address=address, map=map_link(" ".join(address.split())))
        )

    def greeting(self, u: Understanding | None = None) -> None:
        first_name = (self.turn.customer.name or "").split(" ")[0]
        self.reply(self.say("greeting", name=f" {first_name}" if first_name else "", salon=self.turn.salon.name))

    def handoff(self, kind: str) -> None:
        self.result.handoff_reason = HANDOFF_REASONS.get(kind, kind)
        self.reset()
        self.reply(self.say(f"handoff_{kind}" if f"handoff_{kind}" in _HANDOFF_KEYS else "handoff"))


_HANDOFF_KEYS = {"handoff_complaint", "handoff_late", "handoff_location"}
