"""What the assistant says: its replies are gettext messages (English msgids, translated in
``localization/locale/<lang>/LC_MESSAGES/django.po`` under ``# assistant replies``; German also with the formal
"Sie" under the context ``formal``), and how it writes dates and money (Babel, through ``localization``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel import Locale
from django.utils import translation

import localization
from ai_conversations.engine.language import supported_language

# The replies by key; the English text is the gettext msgid (keep the .po files in step when changing one).
MESSAGES: dict[str, str] = {
    "greeting": (
        "Hi{name}! I'm the assistant of {salon}. I can book, move or cancel an appointment and tell you "
        "our prices, opening hours and address. What would you like?"
    ),
    "ask_service": "Which service would you like?",
    "ask_service_ambiguous": "Which one do you mean?",
    "services_button": "Services",
    "times_button": "Choose a time",
    "bookings_button": "My bookings",
    "offer_slots": "Free times for {service}{staff}:",
    "with_staff": " with {staff}",
    "asked_taken": "{when} is not free. The nearest free times for {service}:",
    "no_slots": 'Sorry, I found no free time for {service} in the next days. Write "person" and a colleague will help.',
    "confirm_booking": "Book {service}{staff} on {when} for {price}?",
    "yes_book": "Yes, book it",
    "yes": "Yes",
    "no": "No",
    "other_time": "Other time",
    "booked": (
        "Booked ✅\nCode: {code}\n{service} with {staff}\n{when}\nPrice: {price}\nTo change or cancel, write "
        '"reschedule {code}" or "cancel {code}".'
    ),
    "slot_taken": "Sorry, that time was just taken. The nearest free times:",
    "booking_invalid": "Sorry, I couldn't do that: {reason}",
    "reason_past": "that time is in the past.",
    "reason_min_notice": "bookings need at least {minutes} minutes' notice.",
    "reason_horizon": "bookings can be made at most {days} days ahead.",
    "reason_cancellation_notice": (
        "changes and cancellations are only possible up to {hours} hours before the appointment."
    ),
    "reason_outside_working_hours": "nobody works at that time.",
    "reason_time_off": "we are not available then.",
    "declined": "No problem. Tell me another day or time whenever you like.",
    "ask_when": "Which day and time suit you for {service}?",
    "which_booking_cancel": "Which booking should I cancel?",
    "which_booking_reschedule": "Which booking should I move?",
    "confirm_cancel": "Cancel {service} on {when} (code {code})?",
    "cancelled": "Your booking {code} ({service}, {when}) is cancelled.",
    "kept": "Alright, your booking {code} stays as it is.",
    "booking_not_found": "I couldn't find an upcoming booking {code} for your number.",
    "pick_new_time": "When should {service} ({code}) move to? Free times:",
    "rescheduled": "Done ✅ {code} is now {service} with {staff} on {when}.",
    "attendance_confirmed": "Thanks for confirming! See you on {when} ({code}).",
    "my_bookings": "Your upcoming bookings:\n{lines}",
    "no_bookings": "You have no upcoming bookings. Would you like to book one?",
    "prices": "Our services:\n{lines}",
    "hours": "Our opening hours:\n{lines}",
    "closed": "closed",
    "location": "You'll find {salon} at:\n{address}\n{map}",
    "handoff_location": "I'm passing you to a colleague, who will send you directions here shortly.",
    "handoff_complaint": (
        "I'm sorry to hear that. I'm passing this to a colleague, who will answer you here personally."
    ),
    "handoff_late": "Thanks for letting us know! I've told the team; a colleague will confirm here.",
    "talk_to_person": "Talk to a person",
    "yes_move": "Yes, move it",
    "yes_cancel": "Yes, cancel",
    "confirm_reschedule": "Move {service} ({code}) from {old} to {when} with {staff}?",
    "nothing_pending": "That question is no longer open, so nothing was changed. What would you like to do?",
    "handoff": "I'm passing you to a colleague, who will answer here as soon as possible.",
    "thanks": "You're welcome! 😊",
    "unknown": (
        "Sorry, I didn't get that. I can book, move or cancel appointments, or tell you prices, opening "
        "hours and our address."
    ),
    "minutes": "min",
}


def t(language: str, key: str, *, formal: bool = False, **params) -> str:
    """The phrase ``key`` in ``language`` (English when the catalog has none), in the formal address when asked and
    the language has one, with ``params`` filled in."""
    msgid = MESSAGES[key]
    with translation.override(supported_language(language)):
        text = translation.pgettext("formal", msgid) if formal else msgid
        if text == msgid:
            text = translation.gettext(msgid)
    return text.format(**params)


def weekday_names(language: str, locale: Locale | None = None) -> list[str]:
    """Monday first, as the customer's locale writes them (Babel)."""
    names = (locale or localization.locale_for(supported_language(language))).days["format"]["wide"]
    return [names[i] for i in range(7)]


def format_when(moment: datetime, language: str, tz=None, *, locale: Locale | None = None) -> str:
    """Weekday, day, month and time in the salon's zone ``tz``, as the customer's ``locale`` writes them (Babel):
    ``Thu, 26 Mar, 15:00`` (en_DE), ``jue, 26 mar, 15:00`` (es_ES), ``Do., 26. März, 15:00`` (de_DE)."""
    return localization.format_when(moment, locale or localization.locale_for(supported_language(language)), tz)


def format_money(amount: Decimal, currency: str, language: str, *, locale: Locale | None = None) -> str:
    """``€1,234.50`` (en_US), ``1.234,50 €`` (de_DE): the customer's ``locale`` (Babel), no float ever."""
    return localization.format_money(amount, currency, locale or localization.locale_for(supported_language(language)))


def clip(text: str, limit: int) -> str:
    """Shorten to WhatsApp's limits (row titles 24, button titles 20 characters)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
