"""The localisation layer: territory, locale, numeric date order, the language rule and Babel formatting."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import override

from localization import (
    choose_language,
    customer_locale,
    date_order,
    format_clock,
    format_money,
    format_number,
    format_when,
    languages_of_territory,
    locale_for,
    salon_territory,
    territory_for_phone,
    territory_for_timezone,
    weekday_label,
    weekday_name,
    zone_name,
)


def test_territories_come_from_the_zone_and_the_phone_number():
    assert territory_for_timezone("Europe/Berlin") == "DE"
    assert territory_for_timezone("America/New_York") == "US"
    assert territory_for_timezone("UTC") is None
    assert territory_for_phone("+351912345678") == "PT"
    assert territory_for_phone("5511987654321") == "BR"
    assert territory_for_phone("abc") is None and territory_for_phone("") is None
    assert salon_territory(SimpleNamespace(timezone="Europe/Lisbon")) == "PT"
    assert salon_territory(SimpleNamespace(timezone="UTC", display_phone_number="+34 612 34 56 78")) == "ES"


@pytest.mark.parametrize(
    ("language", "territory", "order"),
    [
        ("en", "US", "MDY"),
        ("en", "GB", "DMY"),
        ("en", "DE", "DMY"),
        ("en", None, "DMY"),
        ("de", "DE", "DMY"),
        ("de", None, "DMY"),
        ("es", "ES", "DMY"),
        ("es", "US", "DMY"),
        ("pt", "PT", "DMY"),
        ("pt", "BR", "DMY"),
    ],
)
def test_numeric_dates_are_day_first_except_for_english_in_the_us(language, territory, order):
    assert date_order(language, territory) == order


def test_a_locale_falls_back_from_the_phone_country_to_the_salons_then_to_the_language():
    berlin = SimpleNamespace(timezone="Europe/Berlin", display_phone_number="")
    assert str(customer_locale("pt", phone="+351912345678", salon=berlin)) == "pt_PT"
    assert str(customer_locale("en", phone="+4915112345678", salon=berlin)) == "en_DE"
    assert str(customer_locale("de", phone="+12025550123", salon=berlin)) == "de_DE"  # no de_US: the salon's
    assert str(locale_for("en")) == "en_001"  # international English, not American
    assert str(locale_for("en", "US")) == "en_US"


@pytest.mark.parametrize(
    ("customer_language", "phone", "available", "chosen"),
    [
        ("es", "+351912345678", ["de", "pt", "es"], "es"),  # the customer's own
        ("", "+351912345678", ["de", "en", "pt"], "pt"),  # their number's country, the salon has it
        ("", "+351912345678", ["de", "en", "pt_BR"], "pt_BR"),  # a regional variant of that language counts
        ("", "+351912345678", ["de", "en"], "de"),  # not there: the salon's
        ("", "+41791234567", ["fr", "de"], "de"),  # Switzerland: official languages, most spoken first
        ("", "", ["de", "pt"], "de"),  # no number
        ("", "+351912345678", None, "de"),  # nothing offered
    ],
)
def test_the_language_rule(customer_language, phone, available, chosen):
    assert (
        choose_language(customer_language=customer_language, phone=phone, salon_language="de", available=available)
        == chosen
    )


def test_only_official_languages_of_the_phone_country_count():
    assert languages_of_territory("DE")[0] == "de" and "en" not in languages_of_territory("DE")
    assert languages_of_territory("PT") == ("pt",)


def test_dates_numbers_and_money_are_written_by_babel():
    moment = datetime(2028, 2, 29, 14, 5, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert format_when(moment, locale_for("de", "DE"), berlin, with_year=True) == "Di., 29. Feb. 2028, 15:05"
    assert format_when(moment, locale_for("en", "US"), ZoneInfo("America/New_York")) == "Tue, Feb 29, 9:05\u202fAM"
    assert format_money(Decimal("0.5"), "BRL", locale_for("pt", "BR")) == "R$\xa00,50"
    assert format_money(Decimal("1234.5"), "USD", locale_for("en", "US")) == "$1,234.50"
    assert format_number(Decimal("1234.5"), locale_for("de", "DE")) == "1.234,5"
    assert format_clock(time(9, 0), locale_for("en", "US")) == "9:00\u202fAM"
    assert format_clock(time(9, 0), locale_for("pt", "PT")) == "09:00"


def test_a_time_shown_to_a_customer_names_the_zone_as_their_language_does():
    winter, summer = datetime(2026, 12, 7, 14, 30, tzinfo=UTC), datetime(2026, 7, 6, 13, 30, tzinfo=UTC)
    berlin, new_york = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    assert format_when(winter, locale_for("de", "DE"), berlin, with_zone=True) == "Mo., 7. Dez., 15:30 MEZ"
    assert format_when(summer, locale_for("de", "DE"), berlin, with_zone=True) == "Mo., 6. Juli, 15:30 MESZ"
    assert format_when(winter, locale_for("en", "DE"), berlin, with_zone=True) == "Mon, 7 Dec, 15:30 CET"
    assert format_when(winter, locale_for("en", "US"), new_york, with_zone=True) == "Mon, Dec 7, 9:30\u202fAM EST"
    # No short Portuguese name for Central European time: the offset, named.
    assert zone_name(winter.astimezone(berlin), locale_for("pt")) == "GMT+01:00"


def test_weekday_names_come_from_cldr_in_the_active_language():
    assert [weekday_name(0, language) for language in ("en", "de", "es", "pt")] == [
        "Monday",
        "Montag",
        "lunes",
        "segunda-feira",
    ]
    assert weekday_name(6, "de", width="abbreviated") == "So."
    label = weekday_label(2)
    with override("es"):
        assert str(label) == "miércoles"
    with override("en"):
        assert str(label) == "Wednesday"
