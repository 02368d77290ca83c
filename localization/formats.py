"""How dates, times, numbers and money read in a locale (Babel, CLDR data): every customer-facing date, number or
amount is written here, and numeric dates customers type are read with the order their locale uses."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import (
    format_skeleton,
    format_time,
    get_date_format,
    get_datetime_format,
    get_day_names,
    get_timezone_gmt,
    get_timezone_name,
)
from babel.numbers import format_currency, format_decimal
from django.utils.functional import lazy
from django.utils.translation import get_language

from localization.locales import locale_for

# --- reading what customers write -------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _date_order(locale: Locale) -> str:
    pattern = get_date_format("short", locale=locale).pattern
    day, month = pattern.find("d"), pattern.find("M")
    if day < 0 or month < 0:
        return "DMY"
    return "DMY" if day < month else "MDY"


def date_order(language: str | None, territory: str | None) -> str:
    """How numeric dates are read ("04/12"): ``DMY`` or ``MDY`` (dateparser's DATE_ORDER) for a message in
    ``language`` to a salon in ``territory``: month first only where the locale writes it so (English in the US)."""
    return _date_order(locale_for(language, territory))


# --- writing for customers --------------------------------------------------------------------------------------


def _parse(locale: Locale | str) -> Locale:
    return Locale.parse(locale) if isinstance(locale, str) else locale


def zone_name(moment: datetime, locale: Locale | str) -> str:
    """The short name of an aware moment's zone as ``locale`` writes it: "MEZ" (de_DE), "CET" (en_DE), "EST"
    (en_US); "GMT+01:00" where the locale has no short name for it (Portuguese for Berlin)."""
    locale = _parse(locale)
    name = get_timezone_name(moment, "short", locale=locale)
    return get_timezone_gmt(moment, "long", locale=locale) if name[:1] in "+-" else name


def format_when(
    moment: datetime,
    locale: Locale | str,
    tz: tzinfo | None = None,
    *,
    with_year: bool = False,
    with_zone: bool = False,
) -> str:
    """Weekday, day, month (and year) and time of ``moment`` in zone ``tz``, as ``locale`` writes them:
    "Mon, 7 Dec, 15:30" (en_DE), "Mo., 7. Dez., 15:30" (de_DE), "Mon, Dec 7, 3:30 PM" (en_US); ``with_zone`` names
    the zone after the time ("Mo., 7. Dez., 15:30 MEZ")."""
    locale = _parse(locale)
    local = moment.astimezone(tz) if tz is not None else moment
    day = format_skeleton("yMMMEd" if with_year else "MMMEd", local, locale=locale)
    clock = format_time(local, "short", locale=locale)
    if with_zone:
        clock = f"{clock} {zone_name(local, locale)}"
    return get_datetime_format("medium", locale=locale).replace("{1}", day).replace("{0}", clock)


def format_day(day: date, locale: Locale | str, *, with_year: bool = False) -> str:
    """A day with its weekday: "Mon, 7 Dec" (en_DE), "Mo., 7. Dez." (de_DE)."""
    return format_skeleton("yMMMEd" if with_year else "MMMEd", day, locale=locale)


def format_clock(moment: datetime | time, locale: Locale | str, tz: tzinfo | None = None) -> str:
    """The time of day (of a moment in zone ``tz``, or a wall-clock time) as the locale writes it: "15:30"."""
    local = moment.astimezone(tz) if tz is not None and isinstance(moment, datetime) else moment
    return format_time(local, "short", locale=locale)


def format_money(amount: Decimal, currency: str, locale: Locale | str) -> str:
    """The amount in ``currency`` as ``locale`` writes it: "25,00 €" (de_DE), "€25.00" (en_US)."""
    return format_currency(Decimal(amount), currency, locale=locale)


def format_number(value: Decimal | int, locale: Locale | str) -> str:
    """``1,234.5`` / ``1.234,5``."""
    return format_decimal(value, locale=locale)


def weekday_name(weekday: int, language: str | None = None, *, width: str = "wide") -> str:
    """The name of a weekday (0 = Monday, as ``date.weekday()``) in ``language`` (the active one when None), from
    CLDR: "Monday", "Montag", "lunes", "segunda-feira"; ``width`` "abbreviated" gives "Mon", "Mo."."""
    return get_day_names(width, locale=locale_for(language or get_language()))[weekday]


# For labels evaluated when shown (model choices): the name in the language active at that moment.
weekday_label = lazy(weekday_name, str)
