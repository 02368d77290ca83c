"""The evaluation harness: the corpus loads, every line is well formed, and the engine meets the issue's bar."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from ai_conversations.engine.entities import parse_when
from ai_conversations.eval import LANGUAGES, SERVICES, load_corpus
from ai_conversations.models import Intent

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = datetime(2026, 5, 6, 10, 0, tzinfo=BERLIN)


def test_the_corpus_is_large_enough_and_well_formed():
    cases = load_corpus()
    assert len(cases) >= 400
    assert {c.language for c in cases} == set(LANGUAGES)
    keys = {s.id for s in SERVICES} | {"?"}
    for case in cases:
        assert case.intent in Intent.values, case
        assert case.service is None or case.service in keys, case


def test_assistant_eval_prints_the_bench_line_and_meets_the_bar():
    out = StringIO()
    call_command("assistant_eval", stdout=out)
    line = out.getvalue().strip().splitlines()[-1]
    match = re.fullmatch(
        r"BENCH assistant intent_acc=(?P<i>[\d.]+) service_acc=(?P<s>[\d.]+) when_acc=(?P<w>[\d.]+) "
        r"wrong_language=(?P<l>\d+) p95_ms=[\d.]+",
        line,
    )
    assert match, line
    assert float(match["i"]) >= 0.97 and float(match["w"]) >= 0.95 and int(match["l"]) == 0


@pytest.mark.parametrize(
    ("text", "language", "day", "at", "after", "part"),
    [
        ("pasado mañana", "es", date(2026, 5, 8), None, None, None),
        ("next Monday", "en", date(2026, 5, 11), None, None, None),
        ("el próximo lunes", "es", date(2026, 5, 11), None, None, None),
        ("nächste Woche Mittwoch", "de", date(2026, 5, 13), None, None, None),
        ("sábado a las 5 de la tarde", "es", date(2026, 5, 9), time(17), None, "afternoon"),
        ("gegen halb drei", "de", None, time(14, 30), None, None),
        ("after 4", "en", None, None, time(16), None),
        ("tomorrow after 4pm", "en", date(2026, 5, 7), None, time(16), None),
        ("ab 16 Uhr", "de", None, None, time(16), None),
        ("por la tarde", "es", None, None, None, "afternoon"),
        ("12/05 at 10", "en", date(2026, 5, 12), time(10), None, None),
        ("Freitagabend", "de", date(2026, 5, 8), None, None, "evening"),
        ("Guten Morgen, geht Freitag?", "de", date(2026, 5, 8), None, None, None),
        ("running 10 min late", "en", None, None, None, None),
    ],
)
def test_the_date_and_time_grammar_of_the_issue(text, language, day, at, after, part):
    when = parse_when(text, language=language, tz=BERLIN, now=WEDNESDAY, territory="DE")
    assert (when.day, when.at, when.after, when.part_of_day) == (day, at, after, part)
