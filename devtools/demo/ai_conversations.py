"""Demo data of the assistant: one example AI conversation per demo salon, and its settings (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage, AssistantSettings, Direction, Intent
from salons.models import Customer

DEMO_PHONE = "+4915100000042"

# The example dialogue: three exchanges (the customer writes, the assistant answers) with their intents; German
# salons get it in German, the others in English.
_INTENTS = (Intent.ASK_AVAILABILITY, Intent.BOOK, Intent.CONFIRM)
_EXCHANGES = {
    "de": (
        (
            "Hallo! Habt ihr morgen Nachmittag Zeit für einen Haarschnitt?",
            "Freie Zeiten für Haarschnitt:\n[Do 15:00 | Do 15:30 | Do 16:00]",
        ),
        ("15:00", "Soll ich Haarschnitt am Do, 15:00 buchen?\n[Ja, buchen | Andere Zeit | Nein]"),
        ("Ja, buchen", "Gebucht ✅"),
    ),
    "default": (
        (
            "Hi! Do you have time for a haircut tomorrow afternoon?",
            "Free times for Haircut:\n[Thu 15:00 | Thu 15:30 | Thu 16:00]",
        ),
        ("15:00", "Book Haircut on Thu, 15:00?\n[Yes, book it | Other time | No]"),
        ("Yes, book it", "Booked ✅"),
    ),
}


def _script(language: str) -> list[tuple[str, str, str]]:
    """The dialogue in ``language`` as (direction, content, intent), message by message."""
    exchanges = _EXCHANGES.get(language, _EXCHANGES["default"])
    return [
        (direction, content, intent)
        for intent, exchange in zip(_INTENTS, exchanges, strict=True)
        for direction, content in zip(("in", "out"), exchange, strict=True)
    ]


def seed(*, salon, stdout=None) -> None:
    AssistantSettings.objects.get_or_create(salon=salon, defaults={"monthly_budget": Decimal("20.00")})
    customer, _ = Customer.objects.get_or_create(
        phone=DEMO_PHONE, defaults={"wa_id": DEMO_PHONE.lstrip("+"), "name": "Demo Kundin", "language": salon.language}
    )
    conversation, _ = AIConversation.objects.get_or_create(
        customer=customer, defaults={"language": salon.language if salon.language in ("en", "es", "pt", "de") else "en"}
    )
    if conversation.messages.exists():
        return
    script = _script(salon.language)
    started = timezone.now() - timedelta(hours=2)
    for index, (direction, content, intent) in enumerate(script):
        AIMessage.objects.create(
            conversation=conversation,
            direction=Direction.INBOUND if direction == "in" else Direction.OUTBOUND,
            content=content,
            intent=intent,
            latency_ms=40 if direction == "out" else None,
            created_at=started + timedelta(seconds=30 * index),
        )
    conversation.message_count = len(script)
    conversation.last_activity_at = started + timedelta(seconds=30 * len(script))
    conversation.save()
    if stdout is not None:
        stdout.write(f"    example AI conversation with {customer.phone}")
