"""Reads of salon stats: totals and a day/week/month series from the rollups plus today's live slice, cached."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ai_conversations.providers import PRICE_CURRENCY
from analytics.cache import stats_cached
from analytics.services import (
    NUMBER_FIELDS,
    day_params,
    local_today,
    stored_and_live_days_statement,
    stored_days_statement,
)
from salons.models import Salon
from salons.tenancy import salon_scope

GRANULARITIES = ("day", "week", "month")
MAX_RANGE_DAYS = 731

COUNT_FIELDS = (
    "bookings_created",
    "bookings_confirmed",
    "bookings_cancelled",
    "bookings_completed",
    "bookings_no_show",
    "new_customers",
    "messages_in",
    "messages_out",
    "templates_sent",
    "conversations_opened",
    "ai_messages",
    "ai_tokens",
    "handoffs",
    "first_responses",
)
MONEY_FIELDS = ("revenue", "whatsapp_cost", "ai_cost")
_ZERO = Decimal("0")


def period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, granularity: str) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def _weighted_median(pairs: list[tuple[float, int]]) -> float | None:
    """Median of daily medians weighted by how many responses each day measured (exact for a single day)."""
    pairs = sorted((value, weight) for value, weight in pairs if value is not None and weight)
    total = sum(weight for _, weight in pairs)
    if not total:
        return None
    seen = 0
    for value, weight in pairs:
        seen += weight
        if seen * 2 >= total:
            return value
    return pairs[-1][0]


def combine(rows: Iterable[dict[str, Any]], *, currencies: dict[str, str]) -> dict[str, Any]:
    """Add up days: counts and money are sums, the no-show rate and the response median are recomputed."""
    rows = list(rows)
    if len(rows) == 1:  # a day of a daily series: the sums are the row's own values (most of the series' cost)
        (row,) = rows
        numbers: dict[str, Any] = {name: row[name] for name in COUNT_FIELDS}
        for name in MONEY_FIELDS:
            numbers[name] = str(_ZERO + Decimal(row[name]))
            numbers[f"{name}_currency"] = currencies[name]
    else:
        numbers = {name: sum(row[name] for row in rows) for name in COUNT_FIELDS}
        for name in MONEY_FIELDS:
            numbers[name] = str(sum((Decimal(row[name]) for row in rows), _ZERO))
            numbers[f"{name}_currency"] = currencies[name]
    attended = numbers["bookings_completed"] + numbers["bookings_no_show"]
    numbers["no_show_rate"] = round(numbers["bookings_no_show"] / attended, 4) if attended else None
    numbers["first_response_median_seconds"] = _weighted_median(
        [(row["first_response_median_seconds"], row["first_responses"]) for row in rows]
    )
    return numbers


def salon_stats(
    *, salon: Salon, start: date, end: date, granularity: str = "day", now: datetime | None = None
) -> dict[str, Any]:
    """Totals and a series for local days ``start``..``end``: stored rollups, and today computed live.

    The answer is JSON-ready (dates ISO, money as decimal strings) so that it is cached and served as is.
    """
    now = now or timezone.now()
    today = local_today(salon, now)
    stored = {"stored_from": start, "stored_to": min(end, today - timedelta(days=1))}
    with salon_scope(salon):
        if start <= today <= end:  # the stored days and today's live slice in one statement
            rows = stored_and_live_days_statement().rows(**stored, **day_params(salon, today))
        else:
            rows = stored_days_statement().rows(**stored)
    names = ("day", *NUMBER_FIELDS)
    days = {row[0]: dict(zip(names, row, strict=True)) for row in rows}
    currencies = {"revenue": salon.currency, "whatsapp_cost": salon.currency, "ai_cost": PRICE_CURRENCY}
    by_period: dict[date, list[dict[str, Any]]] = {}  # every day read lies in start..end: its period is in the series
    for day, row in days.items():
        by_period.setdefault(period_start(day, granularity), []).append(row)
    series = []
    cursor = period_start(start, granularity)
    while cursor <= end:
        following = _next_period(cursor, granularity)
        first, last = max(cursor, start), min(following - timedelta(days=1), end)
        in_period = by_period.get(cursor, [])
        series.append(
            {
                "period": cursor.isoformat(),
                "from": first.isoformat(),
                "to": last.isoformat(),
                **combine(in_period, currencies=currencies),
            }
        )
        cursor = following
    return {
        "salon_id": str(salon.pk),
        "timezone": salon.timezone,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "granularity": granularity,
        "live_through": now.isoformat() if start <= today <= end else None,
        "totals": combine(days.values(), currencies=currencies),
        "series": series,
    }


def salon_stats_cached(*, salon: Salon, start: date, end: date, granularity: str = "day") -> dict[str, Any]:
    """``salon_stats``, cached until the salon's bookings or messages change (or ``STATS_CACHE_SECONDS`` pass).

    Today's date is part of the key: after the salon's midnight, "today" is another day.
    """
    key = f"{start}:{end}:{granularity}:{local_today(salon)}"
    return stats_cached(salon.pk, key, lambda: salon_stats(salon=salon, start=start, end=end, granularity=granularity))
