"""The assistant's evaluation harness: a labelled corpus of real-looking customer messages in en, es, pt and de
(``corpus_<lang>.txt``, written by hand, not from the engine's keyword lists) and the engine's scores on it.

Each line is ``intent | service | when | text``. The reference time is fixed (``REFERENCE``), the salon is in Berlin
with the catalogue ``SERVICES``. The customer's conversation language is the line's language (as after a first turn);
``wrong_language`` counts messages the engine read as another language all the same.
"""

from __future__ import annotations

import time as monotonic
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from ai_conversations.engine import Named, Understanding, understand

TZ = ZoneInfo("Europe/Berlin")
REFERENCE = datetime(2026, 5, 6, 10, 0, tzinfo=TZ)
TERRITORY = "DE"
LANGUAGES = ("en", "es", "pt", "de")
SERVICES = [
    Named("mens", "Men's haircut"),
    Named("womens", "Women's haircut"),
    Named("colour", "Colour"),
    Named("highlights", "Highlights"),
    Named("manicure", "Manicure"),
    Named("pedicure", "Pedicure"),
    Named("beard", "Beard trim"),
    Named("blowdry", "Blow-dry"),
]
STAFF = [Named("anna", "Anna Schmidt"), Named("ben", "Ben Ortiz")]
CORPUS_DIR = Path(__file__).resolve().parent
# What the engine is told about the salon and the moment, the same for every message.
SALON = {"services": SERVICES, "staff": STAFF, "tz": TZ, "now": REFERENCE, "territory": TERRITORY}


@dataclass(frozen=True)
class When:
    days: frozenset[date] = frozenset()
    at: time | None = None
    part: str | None = None
    after: time | None = None

    @classmethod
    def parse(cls, label: str) -> When:
        fields = dict(part.split("=", 1) for part in label.split() if label.strip() != "-")
        return cls(
            days=frozenset(date.fromisoformat(d) for d in fields["d"].split(",")) if "d" in fields else frozenset(),
            at=time.fromisoformat(fields["t"]) if "t" in fields else None,
            part=fields.get("p"),
            after=time.fromisoformat(fields["a"]) if "a" in fields else None,
        )

    @classmethod
    def of(cls, u: Understanding) -> When:
        w = u.when
        return cls(days=frozenset(w.days or ([w.day] if w.day else [])), at=w.at, part=w.part_of_day, after=w.after)

    @property
    def is_empty(self) -> bool:
        return not self.days and self.at is None and self.part is None and self.after is None

    def matches(self, found: When) -> bool:
        if self.days != found.days or self.at != found.at or self.after != found.after:
            return False
        # A part of the day counts when it was asked; with an exact time it may come along ("Saturday morning at 10").
        return self.part == found.part or (self.part is None and (self.at is not None or self.after is not None))


@dataclass(frozen=True)
class Case:
    language: str
    intent: str
    service: str | None
    when: When
    text: str
    line: int
    when_label: str = "-"


def load_corpus(directory: Path = CORPUS_DIR) -> list[Case]:
    cases = []
    for language in LANGUAGES:
        path = directory / f"corpus_{language}.txt"
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            intent, service, when, text = (part.strip() for part in raw.split("|", 3))
            cases.append(
                Case(language, intent, None if service == "-" else service, When.parse(when), text, number, when)
            )
    return cases


@dataclass
class Miss:
    case: Case
    what: str
    got: str


@dataclass
class Report:
    total: int = 0
    intent_ok: int = 0
    service_total: int = 0
    service_ok: int = 0
    when_total: int = 0
    when_ok: int = 0
    wrong_language: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    @staticmethod
    def ratio(ok: int, total: int) -> float:
        return ok / total if total else 1.0

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0

    def bench_line(self) -> str:
        return (
            f"BENCH assistant intent_acc={self.ratio(self.intent_ok, self.total):.3f} "
            f"service_acc={self.ratio(self.service_ok, self.service_total):.3f} "
            f"when_acc={self.ratio(self.when_ok, self.when_total):.3f} "
            f"wrong_language={self.wrong_language} p95_ms={self.p95_ms:.1f}"
        )


def evaluate(cases: list[Case]) -> Report:
    """Score the offline engine: intent on every message, service and date/time where either side has one."""
    report = Report()
    for case in cases:
        started = monotonic.perf_counter()
        u = understand(case.text, language_hint=case.language, **SALON)
        report.latencies_ms.append((monotonic.perf_counter() - started) * 1000)
        report.total += 1
        if u.intent == case.intent:
            report.intent_ok += 1
        else:
            report.misses.append(Miss(case, "intent", u.intent))
        if u.language != case.language:
            report.wrong_language += 1
            report.misses.append(Miss(case, "language", u.language))
        found_service = u.services[0].id if len(u.services) == 1 else ("?" if u.services else None)
        if case.service is not None or found_service is not None:
            report.service_total += 1
            if found_service == case.service:
                report.service_ok += 1
            else:
                report.misses.append(Miss(case, "service", str(found_service)))
        found_when = When.of(u)
        if not case.when.is_empty or not found_when.is_empty:
            report.when_total += 1
            if case.when.matches(found_when):
                report.when_ok += 1
            else:
                report.misses.append(Miss(case, "when", _show(found_when)))
    return report


def _show(when: When) -> str:
    parts = []
    if when.days:
        parts.append("d=" + ",".join(sorted(d.isoformat() for d in when.days)))
    if when.at:
        parts.append(f"t={when.at:%H:%M}")
    if when.part:
        parts.append(f"p={when.part}")
    if when.after:
        parts.append(f"a={when.after:%H:%M}")
    return " ".join(parts) or "-"
