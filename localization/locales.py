"""Which language and locale a customer is addressed in (Babel, CLDR data; phone countries from phonenumbers).

A locale is a language plus a territory. The territory is where the salon is (its IANA time zone names one), so a
German salon writing in English writes "Mon, 7 Dec 2026, 15:30" and a New York one "Mon, Dec 7, 2026, 3:30 PM";
a customer whose phone number is from a country that has its own variant of the language gets that variant
(a +351 customer reads Portuguese as written in Portugal).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from django.conf import settings

# When nothing better is known, English is written the way most of the world outside the US writes it.
_WORLD_ENGLISH = "en_001"


def supported_languages() -> tuple[str, ...]:
    """The language codes Chairside speaks (``settings.LANGUAGES``; each has a catalog in ``localization/locale``)."""
    return tuple(code for code, _ in settings.LANGUAGES)


def language_name(language: str, in_language: str = "en") -> str:
    """The name of ``language`` written in ``in_language`` (CLDR): ``language_name("de")`` -> "German"."""
    try:
        return Locale.parse(base_language(language) or "en").get_language_name(in_language) or language
    except (UnknownLocaleError, ValueError):
        return language


@lru_cache(maxsize=512)
def territory_for_timezone(timezone: str) -> str | None:
    """The ISO 3166 country of an IANA zone ("Europe/Berlin" -> "DE"), None for zones of no country (UTC)."""
    territory = get_global("zone_territories").get(timezone)
    return territory if territory and territory.isalpha() and territory != "ZZ" else None


def territory_for_phone(phone: str | None) -> str | None:
    """The country of an E.164 number ("+351..." -> "PT"), None when it is not a phone number."""
    if not phone:
        return None
    raw = phone if phone.startswith("+") else f"+{phone}"
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return region if region and region.isalpha() and region != "ZZ" else None


def salon_territory(salon) -> str | None:
    """Where the salon is: the country of its time zone, else of its WhatsApp number (any object with
    ``timezone`` and ``display_phone_number``: this package imports no app)."""
    return territory_for_timezone(salon.timezone) or territory_for_phone(getattr(salon, "display_phone_number", ""))


def territory_of_language_tag(language: str | None) -> str | None:
    """``pt_BR`` / ``en-US`` -> ``BR`` / ``US``; None for a bare language."""
    parts = (language or "").replace("-", "_").split("_")
    return parts[-1].upper() if len(parts) > 1 and parts[-1].isalpha() and len(parts[-1]) == 2 else None


def base_language(language: str | None) -> str:
    """``pt_BR`` / ``pt-BR`` -> ``pt``."""
    return (language or "").replace("-", "_").split("_")[0].lower()


@lru_cache(maxsize=512)
def _locale(language: str, territories: tuple[str | None, ...]) -> Locale:
    language = base_language(language) or "en"
    for territory in territories:
        if not territory:
            continue
        try:
            return Locale.parse(f"{language}_{territory}")
        except (UnknownLocaleError, ValueError):
            continue
    if language == "en" and "US" not in territories:
        return Locale.parse(_WORLD_ENGLISH)
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_WORLD_ENGLISH)


def locale_for(language: str | None, *territories: str | None) -> Locale:
    """The Babel locale for ``language`` in the first of ``territories`` that has one (CLDR), else the language's
    own (English outside the US: international English, day first)."""
    return _locale(language or "en", tuple(territories))


def customer_locale(language: str | None, *, phone: str | None = None, salon=None) -> Locale:
    """The locale a customer reads: their language as written in their phone's country, else in the country its
    tag names ("pt-BR"), else in the salon's."""
    return locale_for(
        language,
        territory_for_phone(phone),
        territory_of_language_tag(language),
        salon_territory(salon) if salon is not None else None,
    )


@lru_cache(maxsize=512)
def languages_of_territory(territory: str) -> tuple[str, ...]:
    """The official languages of a country, most spoken first (CLDR); its most spoken one when none is official."""
    spoken = get_global("territory_languages").get(territory, {})
    by_share = sorted(spoken.items(), key=lambda item: -(item[1].get("population_percent") or 0))
    official = [item for item in by_share if (item[1].get("official_status") or "").startswith(("official", "de_"))]
    ordered: list[str] = []
    for language, _ in official or by_share[:1]:
        code = base_language(language)
        if code not in ordered:
            ordered.append(code)
    return tuple(ordered)


def choose_language(
    *,
    customer_language: str | None,
    phone: str | None,
    salon_language: str,
    available: Iterable[str] | None = None,
) -> str:
    """The language to address a customer in: theirs when known; else the language of their phone number's country
    when the salon has something in it (``available``: the languages a template exists in); else the salon's."""
    if customer_language:
        return customer_language
    territory = territory_for_phone(phone)
    if territory and available is not None:
        offered = {base_language(language): language for language in available}
        for language in languages_of_territory(territory):
            if language in offered:
                return offered[language]
    return salon_language
