"""Loading Meta's per-message rate card from the CSV kept in the repository (messaging/data/rate_card.csv)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from messaging.models import RateCard

RATE_CARD_CSV = Path(__file__).resolve().parent / "data" / "rate_card.csv"


def load_rate_card(model=None, path: Path = RATE_CARD_CSV) -> int:
    """Upsert every row of the CSV and return the row count. Migrations pass their historical ``model``."""
    model = model or RateCard
    count = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            model.objects.update_or_create(
                currency=row["currency"].upper(),
                market=row["market"],
                category=row["category"],
                effective_from=date.fromisoformat(row["effective_from"]),
                defaults={"price": Decimal(row["price"]), "market_name": row.get("market_name", "")},
            )
            count += 1
    return count
