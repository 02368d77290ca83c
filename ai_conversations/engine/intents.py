"""Intent classification by the languages' keyword tables (``engine.lang``), all languages at once, so that a wrong
language guess still works."""

from __future__ import annotations

from ai_conversations.engine.lang import LANGUAGES, intent_keywords
from ai_conversations.engine.text import keyword_regex, normalize, words
from ai_conversations.models import Intent

# Checked in this order: the first intent with a hit wins (a request to cancel beats a greeting in the same message).
# "book_weak": wanting something is booking only when nothing more specific was asked ("I want to know your prices").
_ORDER = [
    Intent.TALK_TO_HUMAN,
    Intent.CANCEL,
    Intent.RESCHEDULE,
    Intent.MY_BOOKINGS,
    Intent.ASK_AVAILABILITY,
    Intent.BOOK,
    Intent.PRICES_SERVICES,
    Intent.OPENING_HOURS,
    Intent.LOCATION,
    "book_weak",
    Intent.DECLINE,
    Intent.THANKS,
    Intent.CONFIRM,
    Intent.GREETING,
]
# Messages a person must answer, whatever else they say: checked before the intents.
_HANDOFF_KINDS = ["late", "complaint"]

_COMPILED = [(str(key), keyword_regex(intent_keywords(str(key)))) for key in _ORDER]
_HANDOFF_COMPILED = [(kind, keyword_regex(intent_keywords(kind))) for kind in _HANDOFF_KINDS]
_NO_WORDS = frozenset(w for lang in LANGUAGES.values() for w in lang.intents["decline"] if " " not in w) | {"nope"}
_SMALL_TALK = (Intent.GREETING, Intent.THANKS, Intent.CONFIRM, Intent.DECLINE)


def handoff_kind(text: str) -> str | None:
    """ "complaint" or "late" when the message needs a person for that reason, else None."""
    normalized = normalize(text)
    return next((kind for kind, pattern in _HANDOFF_COMPILED if pattern.search(normalized)), None)


def matched_intents(text: str) -> list[str]:
    """Every intent with a keyword in the text, in priority order ("book_weak" reads as book)."""
    normalized = normalize(text)
    found = []
    for key, pattern in _COMPILED:
        intent = Intent.BOOK if key == "book_weak" else key
        if pattern.search(normalized) and intent not in found:
            found.append(intent)
    return found


def classify_intent(text: str, *, has_service: bool = False, has_when: bool = False) -> str:
    """The message's intent; a service or a date/time on its own means the customer wants to book."""
    found = matched_intents(text)
    tokens = words(text)
    answer_like = (Intent.BOOK, Intent.ASK_AVAILABILITY, Intent.OPENING_HOURS, *_SMALL_TALK)
    if tokens and tokens[0] in _NO_WORDS and (not found or found[0] in answer_like):
        # "No, that time doesn't work for me": an answer, not a wish to book.
        return Intent.DECLINE
    if not found:
        if has_service or has_when:
            return Intent.BOOK
        return Intent.UNKNOWN
    intent = found[0]
    # "Hi, do you have a haircut on Friday?": the entities carry the meaning, the greeting does not.
    if intent in _SMALL_TALK and (has_service or has_when):
        return Intent.BOOK
    return intent
