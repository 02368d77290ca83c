"""Entities in a message: the salon's services and staff (fuzzy), dates and times in the salon's zone, booking codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from rapidfuzz import fuzz

from ai_conversations.engine import dates
from ai_conversations.engine.text import keyword_regex, normalize, normalize_with_map, words
from localization import date_order


@dataclass(frozen=True)
class Named:
    """A service or staff member as the engine sees it: an id and a display name."""

    id: Any
    name: str


# --- services ---------------------------------------------------------------------------------------------------

# Common service words across the four languages: a hit on any member lets a service named with any other match.
_SERVICE_SYNONYMS: list[list[str]] = [
    ["haircut", "hair cut", "cut", "corte", "corte de pelo", "corte de cabelo", "cortar", "cortarme", "haarschnitt",
     "schnitt", "haare schneiden", "haareschneiden", "herrenhaarschnitt", "damenhaarschnitt", "herrenschnitt",
     "damenschnitt"],
    ["colour", "color", "coloring", "coloured", "colored", "roots", "dye",
     "tinte", "coloracion", "tintura", "coloracao", "pintar", "farbe", "farben",
     "farben lassen", "tonung", "farbetermin", "farbung"],
    ["highlights", "balayage", "mechas", "reflejos", "luzes", "strahnchen"],
    ["beard", "barba", "bart", "beard trim"],
    ["manicure", "manicura", "manikure", "nails", "unas", "unhas", "nagel", "nageldesign"],
    ["pedicure", "pedicura", "pedikure", "fusspflege"],
    ["blow dry", "blowdry", "brushing", "secado", "peinado", "escova", "fohnen", "styling", "fohnfrisur"],
    ["massage", "masaje", "massagem"],
    ["facial", "limpieza facial", "limpeza de pele", "gesichtsbehandlung", "kosmetik"],
    ["waxing", "wax", "depilacion", "depilacao", "cera", "wachsen", "haarentfernung"],
    ["eyebrows", "brows", "cejas", "sobrancelhas", "augenbrauen"],
    ["men", "mens", "gents", "gentlemen", "male", "hombre", "caballero", "masculino", "homem", "herren", "manner",
     "herrenhaarschnitt", "herrenschnitt"],
    ["women", "womens", "ladies", "lady", "female", "mujer", "senora", "dama", "feminino", "mulher", "damen", "frauen",
     "damenhaarschnitt", "damenschnitt"],
    ["wash", "lavado", "lavagem", "waschen", "haarwasche"],
]  # fmt: skip
_SYNONYM_PATTERNS = [(keyword_regex(group), group) for group in _SERVICE_SYNONYMS]
_NAME_STOPWORDS = frozenset(
    re.findall(r"\w+", "and with the for of a an y e o de del da do con com mit und fur la el le")
)


def _significant(name_words: list[str]) -> list[str]:
    return [w for w in name_words if w not in _NAME_STOPWORDS and len(w) >= 2]


def match_services(text: str, services: list[Named]) -> list[Named]:
    """Services the message names, best first; several only when they fit equally well (ask which one)."""
    normalized = normalize(text)
    phrases = [normalized]
    for pattern, group in _SYNONYM_PATTERNS:
        if pattern.search(normalized):
            phrases.extend(normalize(g) for g in group)
    message_words = {w for phrase in phrases for w in words(phrase)}
    scored: list[tuple[float, float, Named]] = []
    for service in services:
        name_words = _significant(words(service.name)) or words(service.name)
        if not name_words:
            continue
        hits = []
        for name_word in name_words:
            best = max(
                (fuzz.ratio(name_word, w) for w in message_words if abs(len(w) - len(name_word)) <= 3), default=0
            )
            # Short words must match exactly ("men" is not "mens"); longer ones tolerate a typo.
            threshold = 100 if len(name_word) <= 3 else 84
            if best >= threshold:
                hits.append(best)
        # The whole name written out (typos allowed) counts as a full match.
        written = " ".join(words(service.name))
        # (A message shorter than the name cannot write it out: "hi" is no "Highlights".)
        whole = fuzz.partial_ratio(written, normalized) if len(written) >= 5 and len(normalized) >= len(written) else 0
        coverage = len(hits) / len(name_words)
        if whole >= 92:
            coverage = max(coverage, 1.0)
        if not hits and whole < 92:
            continue
        scored.append((coverage, sum(hits) + whole / 10, service))
    if not scored:
        return []
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    top_coverage = scored[0][0]
    best = [item for item in scored if item[0] == top_coverage]
    if len(best) > 1 and best[0][1] > best[1][1] + 5:
        return [best[0][2]]
    return [item[2] for item in best]


def match_staff(text: str, staff: list[Named]) -> Named | None:
    """The staff member the message names (by any word of their name, typos tolerated)."""
    message_words = [w for w in words(text) if len(w) >= 3]
    best: tuple[float, Named | None] = (0, None)
    for member in staff:
        for name_word in words(member.name):
            if len(name_word) < 3:
                continue
            score = max((fuzz.ratio(name_word, w) for w in message_words), default=0)
            if score >= 88 and score > best[0]:
                best = (score, member)
    return best[1]


# --- booking codes ----------------------------------------------------------------------------------------------

_CODE_RE = re.compile(r"(?<![A-Za-z0-9])#?([A-Za-z0-9]{4,12})(?![A-Za-z0-9])")
_TIMEISH = re.compile(r"^\d{1,2}(?:h\d{0,2}|hs|hrs|am|pm|uhr|st|nd|rd|th)$", re.IGNORECASE)


def find_booking_codes(text: str, *, loose: bool = False) -> list[str]:
    """Tokens that may be booking codes, upper-cased, in order of appearance.

    Letters mixed with digits in any case ("k7m2xp"); letters only when written in capitals ("KMNPQR"), so that
    ordinary words are not taken for codes. ``loose``: every such token (a lower-case "hkmnpq" too), for the dialog
    to check against the customer's own bookings. The dialog checks every candidate that way anyway.
    """
    codes = []
    for match in _CODE_RE.finditer(text or ""):
        token = match.group(1)
        if _TIMEISH.match(token) or token.isdigit():
            continue
        if token.isalpha() and not (token.isupper() and len(token) == 6) and not loose:
            continue
        codes.append(token.upper())
    return codes


# --- dates and times --------------------------------------------------------------------------------------------

# Numeric dates: 04/12, 04/12/2026, 4-12-2026, 04.12. and 04.12.2026 (a dotted pair without the closing dot or a year
# is a time, 14.30), 2026-12-04.
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.:-])(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?P<dot>\.)?)(?![\d/:-]|\.\d)"
)


@dataclass
class WhenRequest:
    """A date and/or time the customer asked for, in the salon's zone; ``start_local`` when both are known."""

    day: date | None = None
    at: time | None = None
    part_of_day: str | None = None
    after: time | None = None  # "after 4", "ab 16 Uhr": any start from then on
    matched: list[str] = field(default_factory=list)
    # Every day the message names, in order ("move my Friday appointment to Monday"); ``day`` is the first.
    days: list[date] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.day is None and self.at is None and self.part_of_day is None

    def start_local(self, tz) -> datetime | None:
        if self.day is None or self.at is None:
            return None
        return datetime.combine(self.day, self.at, tzinfo=tz)

    def as_dict(self) -> dict:
        return {
            "date": self.day.isoformat() if self.day else None,
            "time": self.at.strftime("%H:%M") if self.at else None,
            "part_of_day": self.part_of_day,
            **({"after": self.after.strftime("%H:%M")} if self.after else {}),
        }


def _numeric_date(match: re.Match, order: str, today: date) -> date | None:
    """The day a numeric date names, read in ``order`` (DMY/MDY); without a year, its next occurrence from today."""
    if match.group("iso_y"):
        year, month, day = int(match.group("iso_y")), int(match.group("iso_m")), int(match.group("iso_d"))
    else:
        if match.group("sep") == "-" and not match.group("y"):
            return None  # 10-12 is a range
        first, second = int(match.group("a")), int(match.group("b"))
        day, month = (second, first) if order == "MDY" else (first, second)
        year = int(match.group("y")) if match.group("y") else None
        if year is not None and year < 100:
            year += 2000
    if year is not None:
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        return found if today <= found <= today + timedelta(days=400) else None
    for candidate_year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            found = date(candidate_year, month, day)
        except ValueError:
            continue  # 29/02 outside a leap year: the next leap year, if within reach
        if found >= today:
            return found if found <= today + timedelta(days=400) else None
    return None


def parse_when(text: str, *, language: str, tz, now: datetime, territory: str | None = None) -> WhenRequest:
    """Date and time expressions ("tomorrow at 3pm", "viernes a las 10", "amanhã às 15h", "Montag 14 Uhr").

    Numeric dates ("04/12") are read here in the order of the salon's locale (``territory``: the salon's country):
    day first except where the language is written month first there (English in the US). Words (relative days,
    weekdays, month names, clock times, parts of the day) are read by ``engine.dates`` in every language at once,
    relative to ``now`` in the salon's zone ``tz``.
    """
    today = now.astimezone(tz).date()
    for code in find_booking_codes(text):
        # A code such as "15H30K" is not a time: blank it (same length, so spans stay valid).
        text = re.sub(re.escape(code), " " * len(code), text, flags=re.IGNORECASE)
    order = date_order(language, territory)
    numeric: list[tuple[int, date, str]] = []
    for match in _NUMERIC_DATE.finditer(text):
        if match.group("sep") == "." and not (match.group("y") or match.group("dot")):
            continue  # 14.30 is a time
        # Hidden from the time patterns (04.12. is not 04:12): a numeric pair that is no date (10-12, 31/02) is
        # nothing.
        text = text[: match.start()] + " " * len(match.group()) + text[match.end() :]
        found_day = _numeric_date(match, order, today)
        if found_day is not None:
            numeric.append((match.start(), found_day, match.group().strip()))
    normalized = dates.blank_greetings(normalize_with_map(text)[0])
    part, part_spans = dates.find_part(normalized)
    at, after, span = dates.find_time(normalized, part)
    request = WhenRequest(at=at, after=after, part_of_day=part)
    if span is not None:
        request.matched.append(normalized[span[0] : span[1]].strip())
        normalized = normalized[: span[0]] + " " * (span[1] - span[0]) + normalized[span[1] :]
    named = dates.find_days(normalized, today, part_spans)
    days = sorted([(start, day) for start, day, _ in numeric] + named)
    horizon = today + timedelta(days=400)
    for _, day in days:
        if today <= day <= horizon and day not in request.days:
            request.days.append(day)
    request.day = request.days[0] if request.days else None
    request.matched += [raw for _, _, raw in numeric]
    return request
