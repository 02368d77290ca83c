"""The offline engine: language, intents, services, staff, dates/times and booking codes (pure functions)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from ai_conversations.engine import Named, understand
from ai_conversations.engine.entities import find_booking_codes, match_services, match_staff, parse_when
from ai_conversations.engine.intents import classify_intent
from ai_conversations.engine.language import customer_register, detect_language
from ai_conversations.engine.replies import MESSAGES, clip, format_money, format_when, t
from localization import locale_for

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# A Wednesday morning, four days before the spring DST change in Europe.
NOW = datetime(2026, 3, 25, 10, 0, tzinfo=BERLIN)

SERVICES = [
    Named(1, "Women's haircut"),
    Named(2, "Men's haircut"),
    Named(3, "Colour"),
    Named(4, "Beard trim"),
    Named(5, "Manicure"),
    Named(6, "Balayage & gloss"),
]
STAFF = [Named(10, "Anna Schmidt"), Named(11, "Ben Ortiz"), Named(12, "Carla")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, can I book a haircut tomorrow?", "en"),
        ("Hola, quiero una cita para mañana", "es"),
        ("Olá, quero marcar um horário amanhã", "pt"),
        ("Hallo, ich möchte einen Termin morgen", "de"),
        ("¿Cuánto cuesta?", "es"),
        ("Você tem vaga?", "pt"),
        ("Wann habt ihr offen?", "de"),
    ],
)
def test_language_is_detected_from_keywords(text, expected):
    assert detect_language(text, fallback="en") == expected


@pytest.mark.parametrize("text", ["15:30", "ok", "👍", "K7M2XP"])
def test_language_without_evidence_is_the_fallback(text):
    assert detect_language(text, fallback="pt") == "pt"
    assert detect_language(text, fallback="xx") == "en"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hi there", "greeting"),
        ("Buenos días", "greeting"),
        ("I'd like to book an appointment", "book"),
        ("Quero marcar um horário", "book"),
        ("Ich möchte einen Termin", "book"),
        ("do you have anything free on friday?", "ask_availability"),
        ("¿Tienes hueco el viernes?", "ask_availability"),
        ("I need to reschedule", "reschedule"),
        ("Kann ich meinen Termin verschieben?", "reschedule"),
        ("quero remarcar", "reschedule"),
        ("please cancel my appointment", "cancel"),
        ("Quiero cancelar mi cita", "cancel"),
        ("Ich möchte stornieren", "cancel"),
        ("when is my appointment?", "my_bookings"),
        ("meus agendamentos", "my_bookings"),
        ("how much is a colour?", "prices_services"),
        ("Was kostet ein Haarschnitt?", "prices_services"),
        ("I want to know your prices", "prices_services"),
        ("what are your opening hours?", "opening_hours"),
        ("¿A qué hora abren?", "opening_hours"),
        ("where are you located?", "location"),
        ("Qual o endereço?", "location"),
        ("can I talk to a person?", "talk_to_human"),
        ("Ich will mit einem Mitarbeiter sprechen", "talk_to_human"),
        ("thanks!", "thanks"),
        ("muito obrigada", "thanks"),
        ("yes", "confirm"),
        ("nein", "decline"),
        ("asdf qwerty", "unknown"),
        ("the weather is nice", "unknown"),
    ],
)
def test_intents_in_four_languages(text, intent):
    assert classify_intent(text) == intent


def test_a_service_or_a_time_alone_means_booking():
    assert classify_intent("haircut", has_service=True) == "book"
    assert classify_intent("tomorrow at 3", has_when=True) == "book"
    assert classify_intent("hi! tomorrow at 3?", has_when=True) == "book"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("a men's haircut please", ["Men's haircut"]),
        ("haarschnitt für herren", ["Men's haircut"]),
        ("corte de pelo para mujer", ["Women's haircut"]),
        ("haircut", ["Men's haircut", "Women's haircut"]),  # ambiguous: the dialog asks which
        ("quero pintar o cabelo", ["Colour"]),
        ("hair color", ["Colour"]),
        ("barba", ["Beard trim"]),
        ("manicura", ["Manicure"]),
        ("manicur", ["Manicure"]),  # a typo
        ("balayage", ["Balayage & gloss"]),
        ("massage", []),
        ("hello", []),
    ],
)
def test_services_are_matched_fuzzily_across_languages(text, names):
    assert sorted(s.name for s in match_services(text, SERVICES)) == sorted(names)


def test_staff_is_matched_by_any_name_word_with_typos():
    assert match_staff("with anna please", STAFF).id == 10
    assert match_staff("con Ortíz", STAFF).id == 11
    assert match_staff("bei Carl", STAFF).id == 12
    assert match_staff("with anyone", STAFF) is None
    assert match_staff("tomorrow at 3", STAFF) is None


@pytest.mark.parametrize(
    ("text", "language", "day", "at"),
    [
        ("can I get a haircut tomorrow at 3pm?", "en", date(2026, 3, 26), time(15, 0)),
        ("tomorrow around 3", "en", date(2026, 3, 26), time(15, 0)),
        ("next friday 10:30", "en", date(2026, 3, 27), time(10, 30)),
        ("viernes a las 10", "es", date(2026, 3, 27), time(10, 0)),
        ("quiero un corte el viernes a las 10", "es", date(2026, 3, 27), time(10, 0)),
        ("amanhã às 15h", "pt", date(2026, 3, 26), time(15, 0)),
        ("dia 29 de março às 10h30", "pt", date(2026, 3, 29), time(10, 30)),
        ("Montag 14 Uhr", "de", date(2026, 3, 30), time(14, 0)),
        ("Ich möchte einen Haarschnitt am Montag um 14 Uhr", "de", date(2026, 3, 30), time(14, 0)),
        ("am 29. März um 10:30", "de", date(2026, 3, 29), time(10, 30)),
        ("15:30", "en", None, time(15, 30)),
        ("at 9am", "en", None, time(9, 0)),
        ("12pm", "en", None, time(12, 0)),
        ("next tuesday at noon", "en", date(2026, 3, 31), time(12, 0)),
        ("friday", "en", date(2026, 3, 27), None),
    ],
)
def test_dates_and_times_in_the_salon_zone_and_customer_language(text, language, day, at):
    when = parse_when(text, language=language, tz=BERLIN, now=NOW)
    assert (when.day, when.at) == (day, at)


@pytest.mark.parametrize(
    ("text", "language", "territory", "day"),
    [
        ("Can I book a haircut on 04/12 at 16:00?", "en", "DE", date(2026, 12, 4)),
        ("Can I book a haircut on 04/12 at 16:00?", "en", "GB", date(2026, 12, 4)),
        ("Can I book a haircut on 04/12 at 16:00?", "en", None, date(2026, 12, 4)),
        ("Can I book a haircut on 04/12 at 16:00?", "en", "US", date(2026, 4, 12)),
        ("on 04/12/2026 at 16:00", "en", "DE", date(2026, 12, 4)),
        ("on 12/04/2026 at 16:00", "en", "US", date(2026, 12, 4)),
        ("¿puedo reservar un corte el 04/12 a las 16:00?", "es", "ES", date(2026, 12, 4)),
        ("¿puedo reservar un corte el 04/12 a las 16:00?", "es", "US", date(2026, 12, 4)),
        ("posso marcar um corte dia 04/12 às 16:00?", "pt", "PT", date(2026, 12, 4)),
        ("posso marcar um corte dia 04/12 às 16:00?", "pt", "BR", date(2026, 12, 4)),
        ("Kann ich am 04.12. um 16:00 einen Haarschnitt buchen?", "de", "DE", date(2026, 12, 4)),
        ("Kann ich am 04.12.2026 um 16 Uhr kommen?", "de", "DE", date(2026, 12, 4)),
        ("Kann ich am 04/12 um 16:00 kommen?", "de", "AT", date(2026, 12, 4)),
        ("on 2026-12-04 at 16:00", "en", "US", date(2026, 12, 4)),
    ],
)
def test_numeric_dates_are_read_in_the_salons_locale_order(text, language, territory, day):
    when = parse_when(text, language=language, tz=BERLIN, now=NOW, territory=territory)
    assert (when.day, when.at) == (day, time(16, 0))


def test_a_numeric_date_without_a_year_is_its_next_occurrence_and_a_dotted_pair_is_a_time():
    # 25 March: 01/03 is next year's 1 March; 14.30 is half past two; 10-12 is a range, not 10 December.
    assert parse_when("01/03 at 10:00", language="en", tz=BERLIN, now=NOW, territory="DE").day == date(2027, 3, 1)
    assert parse_when("um 14.30 Uhr", language="de", tz=BERLIN, now=NOW, territory="DE").at == time(14, 30)
    assert parse_when("heute um 14.30", language="de", tz=BERLIN, now=NOW, territory="DE").day == date(2026, 3, 25)
    assert parse_when("between 10-12", language="en", tz=BERLIN, now=NOW, territory="DE").day is None
    assert parse_when("31/02 at 10:00", language="en", tz=BERLIN, now=NOW, territory="DE").day is None


def test_part_of_day_is_kept_and_morning_is_not_tomorrow():
    when = parse_when("mañana por la mañana", language="es", tz=BERLIN, now=NOW)
    assert (when.day, when.at, when.part_of_day) == (date(2026, 3, 26), None, "morning")
    when = parse_when("por la mañana", language="es", tz=BERLIN, now=NOW)
    assert (when.day, when.part_of_day) == (None, "morning")
    when = parse_when("Friday afternoon at 4", language="en", tz=BERLIN, now=NOW)
    assert (when.day, when.at, when.part_of_day) == (date(2026, 3, 27), time(16, 0), "afternoon")


def test_relative_dates_follow_the_salon_zone_not_utc():
    # 23:30 UTC on the 25th is already the 26th in Berlin: "tomorrow" is the 27th there.
    late = datetime(2026, 3, 25, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert parse_when("tomorrow", language="en", tz=BERLIN, now=late).day == date(2026, 3, 27)
    assert parse_when("tomorrow", language="en", tz=zoneinfo.ZoneInfo("America/New_York"), now=late).day == date(
        2026, 3, 26
    )


def test_start_local_on_the_dst_change_day_maps_to_the_right_utc_instant():
    when = parse_when("Sunday at 10:00", language="en", tz=BERLIN, now=NOW)
    assert when.day == date(2026, 3, 29)
    start = when.start_local(BERLIN)
    assert start.astimezone(zoneinfo.ZoneInfo("UTC")) == datetime(2026, 3, 29, 8, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))


def test_a_booking_code_is_never_read_as_a_time():
    when = parse_when("move 15H30K to friday at 11:00", language="en", tz=BERLIN, now=NOW)
    assert (when.day, when.at) == (date(2026, 3, 27), time(11, 0))


def test_no_date_is_taken_from_ordinary_words():
    for text in ["I want a haircut", "hola quiero cancelar", "2 people", "thanks a lot", "K7M2XP"]:
        assert parse_when(text, language="en", tz=BERLIN, now=NOW).is_empty, text


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("cancel K7M2XP", ["K7M2XP"]),
        ("please cancel k7m2xp thanks", ["K7M2XP"]),
        ("cancelar #HKMNPQ", ["HKMNPQ"]),
        ("cancel my booking", []),
        ("tomorrow at 3pm or 15h30, 14uhr", []),
        ("Cancel", []),
    ],
)
def test_booking_codes(text, codes):
    assert find_booking_codes(text) == codes


def test_loose_codes_include_lower_case_words_for_the_dialog_to_check():
    assert find_booking_codes("cancel hkmnpq please", loose=True) == ["CANCEL", "HKMNPQ", "PLEASE"]
    assert find_booking_codes("cancel hkmnpq please") == []


def test_understand_puts_it_together():
    result = understand(
        "Hola! Quiero un corte de pelo para hombre el viernes a las 10 con Ben",
        services=SERVICES,
        staff=STAFF,
        tz=BERLIN,
        now=NOW,
        language_hint="en",
    )
    assert result.language == "es"
    assert result.intent == "book"
    assert result.service.name == "Men's haircut"
    assert result.staff.name == "Ben Ortiz"
    assert result.when.start_local(BERLIN) == datetime(2026, 3, 27, 10, 0, tzinfo=BERLIN)
    assert result.entities()["when"] == {"date": "2026-03-27", "time": "10:00", "part_of_day": None}


def test_every_reply_is_in_the_catalog_of_every_language():
    from babel.messages.pofile import read_po

    from localization.catalogs import LOCALE_DIR

    for language in ("es", "pt", "de"):
        with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as po:
            catalog = read_po(po)
        for key, msgid in MESSAGES.items():
            assert catalog.get(msgid) is not None and catalog.get(msgid).string, (language, key)
    assert t("xx", "thanks") == MESSAGES["thanks"]
    assert t("de", "thanks") == "Gern geschehen! 😊"


def test_german_has_a_formal_address():
    assert t("de", "ask_service") == "Welche Leistung möchtest du?"
    assert t("de", "ask_service", formal=True) == "Welche Leistung möchten Sie?"
    assert t("es", "ask_service", formal=True) == "¿Qué servicio desea?"
    assert t("pt", "ask_service", formal=True) == t("pt", "ask_service")  # no formal variant: the usual one
    assert customer_register("¿Podría usted darme cita el lunes?", "es") == "formal"
    assert customer_register("¿tienes hueco mañana?", "es") == "informal"
    assert customer_register("Können Sie mir einen Termin geben?", "de") == "formal"
    assert customer_register("Hast du morgen was frei?", "de") == "informal"
    assert customer_register("Sie", "en") is None


def test_dates_and_money_are_written_the_local_way():
    # Babel (CLDR): the customer's language as written in the salon's (or their phone's) country.
    moment = datetime(2026, 3, 26, 14, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert format_when(moment, "en", BERLIN, locale=locale_for("en", "DE")) == "Thu, 26 Mar, 15:00"
    assert format_when(moment, "en", BERLIN, locale=locale_for("en", "US")) == "Thu, Mar 26, 3:00\u202fPM"
    assert format_when(moment, "es", BERLIN, locale=locale_for("es", "ES")) == "jue, 26 mar, 15:00"
    assert format_when(moment, "pt", BERLIN, locale=locale_for("pt", "PT")) == "quinta, 26/03, 15:00"
    assert format_when(moment, "de", BERLIN, locale=locale_for("de", "DE")) == "Do., 26. März, 15:00"
    assert format_money(Decimal("1234.5"), "EUR", "en", locale=locale_for("en", "US")) == "€1,234.50"
    assert format_money(Decimal("1234.5"), "EUR", "de", locale=locale_for("de", "DE")) == "1.234,50\xa0€"
    assert format_money(Decimal("1234.5"), "EUR", "pt", locale=locale_for("pt", "PT")) == "1\xa0234,50\xa0€"
    assert clip("Balayage & gloss with toner", 20) == "Balayage & gloss wi…"
