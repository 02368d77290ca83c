"""Dates in words on the salon's wall clock, in the page's language ("Tue 01 Dec 10:00", "Di 01 Dez 10:00")."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat

SHORT = "D d M H:i"  # Tue 01 Dec 10:00
SHORT_YEAR = "D d M Y H:i"
LONG_DAY = "l d F Y"  # Tuesday 01 December 2026
DAY = "d M Y"


def wall(value: datetime | date, tz: ZoneInfo | None = None, fmt: str = SHORT) -> str:
    """``value`` (aware) on ``tz``'s wall clock, with day and month names translated by Django."""
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return dateformat.format(value, fmt)
