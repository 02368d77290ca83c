"""The booking template pack (en/es/pt/de). Body parameters, in order: customer_name, service_name, when_local,
staff_name, booking_code. The reminder has three quick-reply buttons whose payloads are booking:<CODE>:<action>."""

from __future__ import annotations

BOOKING_PACK_NAMES = ("booking_confirmation", "booking_reminder", "booking_rescheduled", "booking_cancelled")
PACK_LANGUAGES = ("en", "es", "pt", "de")
BODY_PARAMETERS = ("customer_name", "service_name", "when_local", "staff_name", "booking_code")
REMINDER_ACTIONS = ("confirm", "reschedule", "cancel")

_BODIES = {
    "en": {
        "booking_confirmation": "Hi {{1}}, your {{2}} on {{3}} with {{4}} is booked. Booking code: {{5}}.",
        "booking_reminder": "Reminder, {{1}}: your {{2}} is on {{3}} with {{4}} (code {{5}}). See you soon!",
        "booking_rescheduled": "Hi {{1}}, your {{2}} has been moved to {{3}} with {{4}}. Booking code: {{5}}.",
        "booking_cancelled": "Hi {{1}}, your {{2}} on {{3}} with {{4}} has been cancelled (code {{5}}).",
    },
    "es": {
        "booking_confirmation": "Hola {{1}}, tu {{2}} el {{3}} con {{4}} está reservado. Código de reserva: {{5}}.",
        "booking_reminder": "Recordatorio, {{1}}: tu {{2}} es el {{3}} con {{4}} (código {{5}}). ¡Hasta pronto!",
        "booking_rescheduled": "Hola {{1}}, tu {{2}} se ha cambiado al {{3}} con {{4}}. Código de reserva: {{5}}.",
        "booking_cancelled": "Hola {{1}}, tu {{2}} del {{3}} con {{4}} ha sido cancelado (código {{5}}).",
    },
    "pt": {
        "booking_confirmation": "Olá {{1}}, seu {{2}} em {{3}} com {{4}} está marcado. Código da reserva: {{5}}.",
        "booking_reminder": "Lembrete, {{1}}: seu {{2}} é em {{3}} com {{4}} (código {{5}}). Até breve!",
        "booking_rescheduled": "Olá {{1}}, seu {{2}} foi remarcado para {{3}} com {{4}}. Código da reserva: {{5}}.",
        "booking_cancelled": "Olá {{1}}, seu {{2}} em {{3}} com {{4}} foi cancelado (código {{5}}).",
    },
    "de": {
        "booking_confirmation": "Hallo {{1}}, dein Termin {{2}} am {{3}} bei {{4}} ist gebucht. Buchungscode: {{5}}.",
        "booking_reminder": "Erinnerung, {{1}}: dein Termin {{2}} ist am {{3}} bei {{4}} (Code {{5}}). Bis bald!",
        "booking_rescheduled": "Hallo {{1}}, dein Termin {{2}} ist jetzt am {{3}} bei {{4}}. Buchungscode: {{5}}.",
        "booking_cancelled": "Hallo {{1}}, dein Termin {{2}} am {{3}} bei {{4}} wurde abgesagt (Code {{5}}).",
    },
}

_BUTTONS = {
    "en": ("Confirm", "Reschedule", "Cancel"),
    "es": ("Confirmar", "Cambiar cita", "Cancelar"),
    "pt": ("Confirmar", "Remarcar", "Cancelar"),
    "de": ("Bestätigen", "Verschieben", "Absagen"),
}

_EXAMPLES = {
    "en": ["Ana", "Haircut", "Tue 3 Jun, 15:00", "Marta", "K7Q2PX"],
    "es": ["Ana", "Corte de pelo", "mar 3 jun, 15:00", "Marta", "K7Q2PX"],
    "pt": ["Ana", "Corte de cabelo", "ter 3 jun, 15:00", "Marta", "K7Q2PX"],
    "de": ["Anna", "Haarschnitt", "Di 3. Juni, 15:00", "Marta", "K7Q2PX"],
}


def pack_components(name: str, language: str) -> list[dict]:
    """The components of one pack template, as submitted to Meta."""
    components: list[dict] = [
        {"type": "BODY", "text": _BODIES[language][name], "example": {"body_text": [_EXAMPLES[language]]}}
    ]
    if name == "booking_reminder":
        components.append(
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": text} for text in _BUTTONS[language]]}
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
        for name in BOOKING_PACK_NAMES
    ]


def reminder_payloads(booking_code: str) -> list[str]:
    """Quick-reply payloads for the reminder buttons, in button order."""
    return [f"booking:{booking_code}:{action}" for action in REMINDER_ACTIONS]
