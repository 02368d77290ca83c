"""The offline, deterministic engine: language, intent and entities of one message. Pure functions, no I/O.

``understand(text, services=..., staff=..., tz=..., now=..., language_hint=...)`` is the entry point; the dialog
decides what to do with the result, the replies module says it in the customer's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ai_conversations.engine.entities import (
    Named,
    WhenRequest,
    find_booking_codes,
    match_services,
    match_staff,
    parse_when,
)
from ai_conversations.engine.intents import classify_intent, handoff_kind
from ai_conversations.engine.language import detect_language
from ai_conversations.models import Intent


@dataclass
class Understanding:
    language: str
    intent: str
    services: list[Named] = field(default_factory=list)
    staff: Named | None = None
    when: WhenRequest = field(default_factory=WhenRequest)
    codes: list[str] = field(default_factory=list)
    # Every code-shaped token, letters only in lower case too: used only if one is the customer's own booking.
    loose_codes: list[str] = field(default_factory=list)
    # Why a person should answer (intent talk_to_human): "person", "complaint" or "late".
    handoff: str | None = None

    @property
    def service(self) -> Named | None:
        """The service, when exactly one fits."""
        return self.services[0] if len(self.services) == 1 else None

    def entities(self) -> dict:
        """JSON-ready entities, as stored on the AIMessage."""
        data: dict = {}
        if self.services:
            data["services"] = [{"id": str(s.id), "name": s.name} for s in self.services]
        if self.staff:
            data["staff"] = {"id": str(self.staff.id), "name": self.staff.name}
        if not self.when.is_empty:
            data["when"] = self.when.as_dict()
        if self.codes:
            data["codes"] = self.codes
        return data


def understand(
    text: str,
    *,
    services: list[Named],
    staff: list[Named],
    tz,
    now: datetime,
    language_hint: str = "en",
    territory: str | None = None,
) -> Understanding:
    """Language, intent and entities of ``text`` for a salon with these services and staff, in zone ``tz`` and
    country ``territory`` (how numeric dates are read)."""
    language = detect_language(text, fallback=language_hint)
    found_services = match_services(text, services)
    found_staff = match_staff(text, staff)
    when = parse_when(text, language=language, tz=tz, now=now, territory=territory)
    codes = find_booking_codes(text)
    intent = classify_intent(text, has_service=bool(found_services), has_when=not when.is_empty)
    handoff = handoff_kind(text)
    if handoff is not None:
        intent = Intent.TALK_TO_HUMAN
    elif intent == Intent.TALK_TO_HUMAN:
        handoff = "person"
    return Understanding(
        handoff=handoff,
        language=language,
        intent=intent,
        services=found_services,
        staff=found_staff,
        when=when,
        codes=codes,
        loose_codes=find_booking_codes(text, loose=True),
    )


__all__ = ["Named", "Understanding", "WhenRequest", "understand"]
