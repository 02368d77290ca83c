"""Entities in a message: the salon's services and staff (fuzzy), dates and times in the salon's zone, booking codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from rapidfuzz import fuzz

from ai_conversations.engine.text import blank_spans, keyword_regex, normalize, normalize_with_map, words
from salons.localization import date_order


@dataclass(frozen=True)
class Named:
    """A service or staff member as the engine sees it: an id and a display name."""

    id: Any
    name: str


# --- services ---------------------------------------------------------------------------------------------------

# Common service words across the four languages: a hit on any member lets a service named with any other match.
_SERVICE_SYNONYMS: list[list[str]] = [
    ["haircut", "hair cut", "cut", "corte", "corte de pelo", "corte de cabelo", "haarschnitt", "schnitt",
     "haare schneiden"],
    ["colour", "color", "coloring", "coloured", "colored", "roots", "dye",
     "tinte", "coloracion", "tintura", "coloracao", "pintar", "farbe", "farben",
     "farben lassen", "tonung"],
    ["highlights", "balayage", "mechas", "reflejos", "luzes", "strahnchen"],
    ["beard", "barba", "bart", "beard trim"],
    ["manicure", "manicura", "manikure", "nails", "unas", "unhas", "nagel", "nageldesign"],
    ["pedicure", "pedicura", "pedikure", "fusspflege"],
    ["blow dry", "blowdry", "brushing", "secado", "peinado", "escova", "fohnen", "styling"],
    ["massage", "masaje", "massagem"],
    ["facial", "limpieza facial", "limpeza de pele", "gesichtsbehandlung", "kosmetik"],
    ["waxing", "wax", "depilacion", "depilacao", "cera", "wachsen", "haarentfernung"],
    ["eyebrows", "brows", "cejas", "sobrancelhas", "augenbrauen"],
    ["men", "mens", "gents", "gentlemen", "male", "hombre", "caballero", "masculino", "homem", "herren", "manner"],
    ["women", "womens", "ladies", "lady", "female", "mujer", "senora", "dama", "feminino", "mulher", "damen", "frauen"],
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
        whole = fuzz.partial_ratio(" ".join(words(service.name)), normalized) if len(service.name) >= 5 else 0
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

PART_OF_DAY_HOURS = {"morning": (8, 12), "afternoon": (12, 17), "evening": (17, 21)}

_PARTS = {
    "morning": keyword_regex(
        ["morning", "in the morning", "por la manana", "de la manana", "en la manana", "de manha", "pela manha",
         "vormittag", "vormittags", "morgens", "am morgen", "fruh"]
    ),
    "afternoon": keyword_regex(
        ["afternoon", "in the afternoon", "por la tarde", "de la tarde", "en la tarde", "a tarde", "de tarde",
         "pela tarde", "nachmittag", "nachmittags"]
    ),
    "evening": keyword_regex(
        ["evening", "tonight", "after work", "por la noche", "de noche", "a noite", "de noite", "abend", "abends",
         "feierabend"]
    ),
}  # fmt: skip
_NOON = keyword_regex(["noon", "midday", "mediodia", "meio dia", "meio-dia", "mittag", "mittags"])

_AMPM = r"(?P<ampm>a\.?m\.?|p\.?m\.?)"
_TIME_PATTERNS = [
    # 15:30, 3.30pm, 15h30, 14.30 Uhr
    re.compile(r"(?<![\d/.:])(?P<h>\d{1,2})\s*(?::|\.|h)\s*(?P<m>\d{2})(?![\d/])\s*(?:" + _AMPM + r"|uhr|hs?\b)?"),
    # 3pm, 3 p.m.
    re.compile(r"(?<![\d/.:])(?P<h>\d{1,2})\s*" + _AMPM + r"(?![a-z])"),
    # 15h, 15 hs, 14 Uhr, 10 horas
    re.compile(r"(?<![\d/.:])(?P<h>\d{1,2})\s*(?:h|hs|hrs|horas|uhr)(?![a-z])"),
    # at 3, around 3, um 14, gegen 10, a las 10, as 15, pelas 15, alle 10
    re.compile(
        r"(?<![a-z])(?:at|around|about|by|from|after|um|gegen|ab|nach|las|la|as|pelas|depois das|a partir das)"
        r"\s+(?P<h>\d{1,2})(?![\d:./])(?!\s*(?:st|nd|rd|th|de|of|\.)\b)"
    ),
]
# Numeric dates: 04/12, 04/12/2026, 4-12-2026, 04.12. and 04.12.2026 (a dotted pair without the closing dot or a year
# is a time, 14.30), 2026-12-04.
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.:-])(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?P<dot>\.)?)(?![\d/:-]|\.\d)"
)
_DAY_CLEANUP = re.compile(r"(?<![a-z])dia\s+(?=\d)", re.IGNORECASE)


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
        }


def _find_time(normalized: str) -> tuple[time | None, tuple[int, int] | None, str | None]:
    part = next((name for name, pattern in _PARTS.items() if pattern.search(normalized)), None)
    for pattern in _TIME_PATTERNS:
        for match in pattern.finditer(normalized):
            hour = int(match.group("h"))
            minute = int(match.groupdict().get("m") or 0)
            ampm = (match.groupdict().get("ampm") or "").replace(".", "")
            if hour > 23 or minute > 59 or (ampm and hour > 12):
                continue
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            elif (
                not ampm
                and not match.group("h").startswith("0")
                and (1 <= hour <= 7 or (part in ("afternoon", "evening") and hour < 12))
            ):
                # Nobody books a haircut at 3 in the night: a bare small hour means the afternoon.
                hour += 12
            return time(hour, minute), match.span(), part
    noon = _NOON.search(normalized)
    if noon and part is None:
        return time(12, 0), noon.span(), None
    return None, None, part


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

    Times come from patterns that know each language's habits; the date from dateparser (relative days, weekdays,
    explicit dates) on the rest of the text, relative to ``now`` in the salon's zone ``tz``. Numeric dates ("04/12")
    are read in the order of the salon's locale (``territory``: the salon's country): day first except where the
    language is written month first there (English in the US).
    """
    from dateparser.search import search_dates

    now_local = now.astimezone(tz)
    for code in find_booking_codes(text):
        # A code such as "15H30K" is not a time: blank it (same length, so spans stay valid).
        text = re.sub(re.escape(code), " " * len(code), text, flags=re.IGNORECASE)
    order = date_order(language, territory)
    numeric_day, numeric_text, numeric_days = None, None, []
    for match in _NUMERIC_DATE.finditer(text):
        if match.group("sep") == "." and not (match.group("y") or match.group("dot")):
            continue  # 14.30 is a time
        # Hidden from the time patterns (04.12. is not 04:12) and from dateparser: read here, in locale order, and a
        # numeric pair that is no date here (10-12, 31/02) is no date for dateparser either.
        text = text[: match.start()] + " " * len(match.group()) + text[match.end() :]
        found_day = _numeric_date(match, order, now_local.date())
        if found_day is not None and found_day not in numeric_days:
            numeric_days.append(found_day)
        if numeric_day is None:
            numeric_day = found_day
            numeric_text = match.group().strip() if numeric_day is not None else None
    normalized, origin = normalize_with_map(text)
    at, span, part = _find_time(normalized)
    request = WhenRequest(at=at, part_of_day=part)
    if numeric_day is not None:
        request.day = numeric_day
        request.days.extend(numeric_days)
        request.matched.append(numeric_text)
    spans = []
    if span is not None:
        spans.append(span)
        request.matched.append(normalized[span[0] : span[1]].strip())
    for pattern in _PARTS.values():
        spans.extend(m.span() for m in pattern.finditer(normalized))
    rest = blank_spans(text, spans, origin)
    if language == "pt":
        rest = _DAY_CLEANUP.sub("", rest)
    settings = {
        "TIMEZONE": str(tz),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now_local.replace(tzinfo=None),
        "DATE_ORDER": order,
    }
    languages = [language] if language else None
    found = search_dates(rest, languages=languages, settings=settings) or []
    for matched_text, value in found:
        if len(matched_text.strip()) < 3 and not any(ch.isdigit() for ch in matched_text):
            continue
        day = value.date()
        if day < now_local.date() or day > now_local.date() + timedelta(days=400) or day in request.days:
            continue
        request.days.append(day)
        if request.day is None:
            request.day = day
            request.matched.append(matched_text)
    return request
