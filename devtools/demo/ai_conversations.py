"""Demo data of the assistant: one example AI conversation per demo salon, and its settings (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage, AssistantSettings, Direction, Intent
from salons.models import Customer

DEMO_PHONE = "+4915100000042"

_SCRIPT = {
    "de": [
        ("in", "Hallo! Habt ihr morgen Nachmittag Zeit für einen Haarschnitt?", Intent.ASK_AVAILABILITY),
        ("out", "Freie Zeiten für Haarschnitt:\n[Do 15:00 | Do 15:30 | Do 16:00]", Intent.ASK_AVAILABILITY),
        ("in", "15:00", Intent.BOOK),
        ("out", "Soll ich Haarschnitt am Do, 15:00 buchen?\n[Ja, buchen | Andere Zeit | Nein]", Intent.BOOK),
        ("in", "Ja, buchen", Intent.CONFIRM),
        ("out", "Gebucht ✅", Intent.CONFIRM),
    ],
    "default": [
        ("in", "Hi! Do you have time for a haircut tomorrow afternoon?", Intent.ASK_AVAILABILITY),
        ("out", "Free times for Haircut:\n[Thu 15:00 | Thu 15:30 | Thu 16:00]", Intent.ASK_AVAILABILITY),
        ("in", "15:00", Intent.BOOK),
        ("out", "Book Haircut on Thu, 15:00?\n[Yes, book it | Other time | No]", Intent.BOOK),
        ("in", "Yes, book it", Intent.CONFIRM),
        ("out", "Booked ✅", Intent.CONFIRM),
    ],
}


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
    script = _SCRIPT.get(salon.language, _SCRIPT["default"])
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
