"""What the bench data looks like: zones and currencies, the customers' phrases per intent, fixed message bodies, and
the day totals a salon's rollup must find."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bookings.models import CODE_ALPHABET
from devtools.analytics_bench.copytext import esc

HISTORY_DAYS = 180
FUTURE_DAYS = 30
SLOTS_PER_DAY = 10  # 09:00-19:00 local, one booking per staff member and hour at most
ZONES = [
    ("Europe/Berlin", "EUR", "de"),
    ("Europe/Lisbon", "EUR", "pt"),
    ("Europe/Madrid", "EUR", "es"),
    ("America/Sao_Paulo", "BRL", "pt"),
    ("America/New_York", "USD", "en"),
]
INTENT_PHRASES = {
    "book": ["Can I book a haircut tomorrow at {h}?", "Quero marcar corte sexta {h}h", "Termin für Färben am {d}."],
    "ask_availability": ["Do you have time on {d}?", "Hay hueco el {d} por la tarde?", "Habt ihr {h} Uhr frei?"],
    "reschedule": ["Can we move my appointment to {d}?", "Posso mudar para as {h}?"],
    "cancel": ["I need to cancel, sorry", "Cancela mi cita del {d}", "Ich muss absagen"],
    "prices_services": ["How much is a colour?", "Quanto custa manicure?"],
    "greeting": ["Hi!", "Olá", "Hola, buenas", "Hallo"],
    "thanks": ["Thanks!", "Obrigada", "Danke"],
    "talk_to_human": ["I want to talk to a person"],
    "unknown": ["??", "hmm {h}"],
}
INTENT_WEIGHTS = [30, 20, 8, 8, 8, 12, 8, 2, 4]


@dataclass
class Day:
    """What the rollup of one salon-local day must find (mirrors analytics.services): the sums by their stats column
    (``STATS_COLUMNS``: ``bookings_created``, ``revenue``, ``messages_in``, ...), the first-response delays and the
    assistant's intents."""

    sums: Counter = field(default_factory=Counter)
    responses: list = field(default_factory=list)
    intents: dict = field(default_factory=lambda: defaultdict(int))


def booking_code(n: int) -> str:
    chars = []
    for _ in range(6):
        n, rest = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[rest])
    return "".join(chars)


INBOUND = (esc({"type": "text", "text": {"body": "Hallo, haben Sie morgen frei?"}}), "Hallo, haben Sie morgen frei?")
REPLY = (esc({"type": "text", "text": {"body": "Gern! Morgen 15:00 ist frei."}}), "Gern! Morgen 15:00 ist frei.")
TEMPLATE = (
    esc({"type": "template", "template": {"name": "booking_reminder", "language": {"code": "en"}}}),
    "Reminder: your appointment",
)

STATS_COLUMNS = [
    "bookings_created", "bookings_confirmed", "bookings_cancelled", "bookings_completed", "bookings_no_show",
    "revenue", "revenue_currency", "new_customers", "messages_in", "messages_out", "templates_sent",
    "conversations_opened", "whatsapp_cost", "whatsapp_cost_currency", "ai_messages", "ai_tokens", "ai_cost",
    "ai_cost_currency", "handoffs", "first_response_median_seconds", "first_responses",
]  # fmt: skip
