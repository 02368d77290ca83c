"""The morning dashboard: cards other apps register (bookings: today's bookings and gaps, the week's revenue, the
no-show rate; messaging: WhatsApp spend; the assistant: open handoffs and AI spend), shown per salon of the user on
the admin index, each with a link to the rows it counts.

A card source (``dashboard_cards(order)``) is ``callable(request, salon, now) -> list[Card]``, called inside the
salon's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from salons.backoffice.panels import Registry
from salons.models import Salon
from salons.tenancy import salon_scope
from salons.tenancy.admin import member_salon_ids

MAX_SALONS = 5  # more is an operator's view: the superuser overview covers it


@dataclass
class Card:
    key: str
    label: str
    value: str
    detail: str = ""
    url: str = ""
    tone: str = ""  # "good", "bad" or ""


CardSource = Callable[[object, Salon, object], list[Card]]
dashboard_sources = Registry()
dashboard_cards = dashboard_sources.register


def boards(request, now=None) -> list[dict]:
    """One board per salon the user is a member of (superusers: none, they have the overview)."""
    if request.user.is_superuser:
        return []
    now = now or timezone.now()
    salons = Salon.objects.filter(pk__in=member_salon_ids(request), is_active=True).order_by("name")[:MAX_SALONS]
    result = []
    for salon in salons:
        with salon_scope(salon):
            cards = [card for source in dashboard_sources for card in source(request, salon, now)]
        result.append({"salon": salon, "cards": cards})
    return result
