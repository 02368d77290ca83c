"""The price of one delivered message, from the rate card, by the recipient's calling code and the category."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import phonenumbers
from django.utils import timezone

from messaging.identity import is_bsuid
from messaging.models import RateCard


def cost_for(*, recipient: str, category: str, currency: str, on: date | None = None) -> tuple[Decimal, str]:
    """(price, currency) of a charged message: longest matching calling code, else the '*' market, else 0.

    ``recipient`` is a phone number or WhatsApp id, or a BSUID, whose country code (``US.``) gives the market.
    """
    if is_bsuid(recipient):
        digits = str(phonenumbers.country_code_for_region(recipient[:2]) or "")
    else:
        digits = "".join(ch for ch in recipient if ch.isdigit())
    on = on or timezone.now().date()
    prefixes = [digits[:n] for n in range(min(4, len(digits)), 0, -1)]
    rows = list(
        RateCard.objects.filter(
            currency=currency, category=(category or "").lower(), market__in=[*prefixes, "*"], effective_from__lte=on
        ).order_by("-effective_from")
    )
    for market in [*prefixes, "*"]:
        for row in rows:
            if row.market == market:
                return row.price, row.currency
    return Decimal("0"), currency
