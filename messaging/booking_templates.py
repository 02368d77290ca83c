"""The booking template contract, owned here and imported by bookings and the assistant: the WhatsApp template
names, the order of their body parameters, the reminder's quick-reply buttons and their payloads, and the pack
submitted to Meta. The wording is in the gettext catalog (``localization/locale``), one template per language
Chairside speaks (``settings.LANGUAGES``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import pgettext

from localization import format_when, in_language, locale_for, supported_languages

CONFIRMATION = "booking_confirmation"
REMINDER = "booking_reminder"
RESCHEDULED = "booking_rescheduled"
CANCELLED = "booking_cancelled"
NAMES = (CONFIRMATION, REMINDER, RESCHEDULED, CANCELLED)

# Body parameters {{1}}..{{5}}, in this order (body_parameters() takes them by name).
BODY_PARAMETERS = ("customer_name", "service_name", "when_local", "staff_name", "booking_code")

# The reminder's quick-reply buttons, in button order; a press comes back as ``booking:<CODE>:<action>``.
REMINDER_ACTIONS = ("confirm", "reschedule", "cancel")
REMINDER_PAYLOAD = re.compile(rf"^booking:(?P<code>[A-Za-z0-9-]+):(?P<action>{'|'.join(REMINDER_ACTIONS)})$")

PACK_LANGUAGES = supported_languages()

# Each body is one literal pgettext call, so that catalog tools find the msgids.
_BODIES = {
    CONFIRMATION: lambda: pgettext(
        "WhatsApp template booking_confirmation",
        "Hi {{1}}, your {{2}} on {{3}} with {{4}} is booked. Booking code: {{5}}.",
    ),
    REMINDER: lambda: pgettext(
        "WhatsApp template booking_reminder",
        "Reminder, {{1}}: your {{2}} is on {{3}} with {{4}} (code {{5}}). See you soon!",
    ),
    RESCHEDULED: lambda: pgettext(
        "WhatsApp template booking_rescheduled",
        "Hi {{1}}, your {{2}} has been moved to {{3}} with {{4}}. Booking code: {{5}}.",
    ),
    CANCELLED: lambda: pgettext(
        "WhatsApp template booking_cancelled",
        "Hi {{1}}, your {{2}} on {{3}} with {{4}} has been cancelled (code {{5}}).",
    ),
}


def _buttons() -> list[str]:
    return [
        pgettext("reminder button", "Confirm"),
        pgettext("reminder button", "Reschedule"),
        pgettext("reminder button", "Cancel"),
    ]


# The example Meta's reviewers read: a Tuesday afternoon in June, in a salon in Berlin.
_EXAMPLE_MOMENT = datetime(2026, 6, 2, 13, 0, tzinfo=UTC)
_EXAMPLE_ZONE = ZoneInfo("Europe/Berlin")


def body_parameters(
    *, customer_name: str, service_name: str, when_local: str, staff_name: str, booking_code: str
) -> list[str]:
    """The body parameters in the templates' order."""
    return [customer_name, service_name, when_local, staff_name, booking_code]


def reminder_payloads(booking_code: str) -> list[str]:
    """Quick-reply payloads for the reminder buttons, in button order."""
    return [f"booking:{booking_code}:{action}" for action in REMINDER_ACTIONS]


def parse_reminder_payload(payload: str) -> tuple[str, str] | None:
    """``booking:K7Q2PX:cancel`` -> ("K7Q2PX", "cancel"); None when it is not a reminder button's payload."""
    match = REMINDER_PAYLOAD.match(payload or "")
    return (match["code"], match["action"]) if match else None


def body_text(name: str, language: str) -> str:
    """The body of template ``name`` in ``language``, with its ``{{1}}``..``{{5}}`` placeholders."""
    return in_language(language, _BODIES[name])


def button_texts(language: str) -> list[str]:
    """The reminder's button labels in ``language``, in button order."""
    return in_language(language, _buttons)


def example_parameters(language: str) -> list[str]:
    """A realistic parameter list in ``language``, for Meta's review."""
    return body_parameters(
        customer_name=in_language(language, lambda: pgettext("template example: a customer's name", "Ana")),
        service_name=in_language(language, lambda: pgettext("template example: a service", "Haircut")),
        when_local=format_when(_EXAMPLE_MOMENT, locale_for(language), _EXAMPLE_ZONE, with_year=True, with_zone=True),
        staff_name="Marta",
        booking_code="K7Q2PX",
    )


def pack_components(name: str, language: str) -> list[dict]:
    """The components of one pack template, as submitted to Meta."""
    components: list[dict] = [
        {"type": "BODY", "text": body_text(name, language), "example": {"body_text": [example_parameters(language)]}}
    ]
    if name == REMINDER:
        components.append(
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": text} for text in button_texts(language)]}
        )
    return components


def pack_definitions(languages=PACK_LANGUAGES) -> list[dict]:
    return [
        {
            "name": name,
            "language": language,
            "category": "UTILITY",
            "parameter_format": "POSITIONAL",
            "components": pack_components(name, language),
        }
        for language in languages
        for name in NAMES
    ]
