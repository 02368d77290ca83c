"""Days and times in a message, by the languages' words (``engine.lang``): relative days, weekdays ("next Monday",
"el miércoles que viene", "nächste Woche Mittwoch"), the day of the month ("the 14th", "dia 14", "Freitag den 15."),
day and month names ("16 de mayo", "16. Mai"), clock times ("3pm", "15h30", "a las 5 de la tarde", "halb drei",
"y media", "à uma"), "after 4" and parts of the day. Numeric dates are read in ``entities`` (in the salon's locale
order). Everything works on normalized text (``text.normalize``) and is relative to ``today`` in the salon's zone.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from ai_conversations.engine.lang import LANGUAGES, joined, merged
from ai_conversations.engine.text import keyword_regex

_W = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"


def _alt(words) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


def _parts() -> dict[str, re.Pattern]:
    table: dict[str, list[str]] = {"morning": [], "afternoon": [], "evening": []}
    for language in LANGUAGES.values():
        for name, words in language.parts.items():
            table[name].extend(words)
    return {name: keyword_regex(words) for name, words in table.items()}


WEEKDAYS = merged("weekdays")
MONTHS = merged("months")
RELATIVE = merged("relative_days")
HOUR_WORDS = merged("hour_words")
PARTS = _parts()
PART_OF_DAY_HOURS = {"morning": (8, 12), "afternoon": (12, 17), "evening": (17, 21)}

_GREETINGS = keyword_regex(joined("greetings_with_time"))
_RELATIVE = re.compile(_W + "(?P<w>" + _alt(RELATIVE) + ")" + _E)
_NEXT_WEEK = keyword_regex(joined("next_week"))
_ORD = r"(?:st|nd|rd|th|\.|o|a|º)?"
_NOT_TIME = r"(?!\s*(?:[:h]\d|h\b|hs\b|uhr|am\b|pm\b|horas|min))"
_DAY_MARKERS = _alt(joined("day_markers"))
_WEEKDAY = (
    "(?:" + _alt(joined("next_before")) + r"\s+)?(?P<wd>" + _alt(WEEKDAYS) + ")"
    r"(?:\s+" + _alt(joined("next_after")) + ")?"
)
# "Friday the 15th", "viernes 15", "sexta dia 15", "Freitag den 15."
_WEEKDAY_DOM = re.compile(_W + _WEEKDAY + r",?\s+(?:" + _DAY_MARKERS + r"\s+)?(?P<d>\d{1,2})" + _ORD + _E + _NOT_TIME)
_WEEKDAY_ONLY = re.compile(_W + _WEEKDAY + _E)
# "16 May", "16 de mayo", "16. Mai", "14th of May"; "May 16th"
_DAY_MONTH = re.compile(
    _W
    + r"(?P<d>\d{1,2})"
    + _ORD
    + r"\s*(?:de\s+|of\s+)?(?P<m>"
    + _alt(MONTHS)
    + ")"
    + _E
    + "|"
    + _W
    + r"(?P<m2>"
    + _alt(MONTHS)
    + r")\s+(?:the\s+)?(?P<d2>\d{1,2})"
    + _ORD
    + _E
    + _NOT_TIME
)
# "the 14th", "el 14", "dia 14", "den 14."
_MARKED_DOM = re.compile(_W + _DAY_MARKERS + r"\s+(?P<d>\d{1,2})(?P<ord>" + _ORD + ")" + _E + _NOT_TIME)
_BARE_ORDINAL = re.compile(_W + r"(?P<d>\d{1,2})(?:st|nd|rd|th)" + _E)

_AMPM = r"(?P<ampm>a\.?m\.?|p\.?m\.?)"
_HOUR = r"(?P<h>\d{1,2}|" + _alt(HOUR_WORDS) + "(?![a-z]))"
_DURATION = r"(?!\s*" + _alt(joined("duration_words")) + _E + ")"
_HALF_AFTER = r"(?P<half>\s+" + _alt(joined("half_after")) + ")?" if joined("half_after") else ""
_TIME_PATTERNS = [
    # 15:30, 3.30pm, 15h30, 14.30 Uhr
    re.compile(r"(?<![\d/.:])(?P<h>\d{1,2})\s*(?::|\.|h)\s*(?P<m>\d{2})(?![\d/])\s*(?:" + _AMPM + r"|uhr|hs?\b)?"),
    # 3pm, 3 p.m.
    re.compile(r"(?<![\d/.:])(?P<h>\d{1,2})\s*" + _AMPM + r"(?![a-z])"),
    # 15h, 15 hs, 14 Uhr, 10 horas
    re.compile(r"(?<![\d/.:])(?P<h>\d{1,2})\s*(?:h|hs|hrs|horas|uhr)(?![a-z])"),
    # at 3, around 6, a las 10, a la una, às 15, um 14, gegen 10 (and "y media", "e meia")
    re.compile(
        _W
        + _alt(joined("at"))
        + r"\s+"
        + _HOUR
        + r"(?![\d:./])"
        + _DURATION
        + r"(?!\s*(?:st|nd|rd|th|of)\b)(?!\s*de\s+"
        + _alt(MONTHS)
        + ")"
        + _HALF_AFTER
    ),
]
# "half past two", "halb drei" (= 2:30)
_HALF = re.compile(_W + r"(?P<kind>half past|halb)\s+(?P<h>\d{1,2}|" + _alt(HOUR_WORDS) + ")" + _E)
_AFTER = re.compile(
    _W
    + _alt(joined("after"))
    + r"\s+"
    + _HOUR
    + r"(?:\s*(?::|\.|h)\s*(?P<m>\d{2}))?\s*(?:"
    + _AMPM
    + r"|uhr|h\b|hs\b)?"
    + _DURATION
)
_NOON = re.compile(_W + _alt(joined("noon")) + _HALF_AFTER + _E)


_GERMAN_COMPOUND = re.compile(
    r"(?<![a-z])(montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)(abend|nachmittag|vormittag|morgen|mittag)"
)


def blank_greetings(normalized: str) -> str:
    """ "Good morning", "buenas tardes", "guten Morgen" name no time of day (and "Morgen" is no tomorrow there);
    German "Freitagabend" is read as "Freitag abend"."""
    normalized = _GERMAN_COMPOUND.sub(r"\1 \2", normalized)
    return _GREETINGS.sub(lambda m: " " * len(m.group()), normalized)


def find_part(normalized: str) -> tuple[str | None, list[tuple[int, int]]]:
    """The part of the day asked for, and the spans of every part-of-day phrase."""
    spans, found = [], None
    for name, pattern in PARTS.items():
        for match in pattern.finditer(normalized):
            spans.append(match.span())
            if found is None:
                found = name
    return found, spans


def _hour(value: str) -> int:
    return int(value) if value.isdigit() else HOUR_WORDS[value]


def _afternoonish(hour: int, *, explicit: bool, part: str | None) -> int:
    # Nobody books a haircut at 3 in the night: a bare small hour means the afternoon.
    if not explicit and (1 <= hour <= 7 or (part in ("afternoon", "evening") and hour < 12)):
        return hour + 12
    return hour


def find_time(normalized: str, part: str | None) -> tuple[time | None, time | None, tuple[int, int] | None]:
    """(at, after, span): a clock time asked for, or the time from which any start is fine ("after 4")."""
    after = _AFTER.search(normalized)
    if after is not None:
        hour, minute = _hour(after["h"]), int(after["m"] or 0)
        ampm = (after["ampm"] or "").replace(".", "")
        if hour <= 23 and minute <= 59:
            hour = hour + 12 if ampm == "pm" and hour < 12 else _afternoonish(hour, explicit=bool(ampm), part=part)
            return None, time(hour % 24, minute), after.span()
    for pattern in _TIME_PATTERNS:
        for match in pattern.finditer(normalized):
            groups = match.groupdict()
            raw = groups["h"]
            hour, minute = _hour(raw), int(groups.get("m") or 0)
            if groups.get("half"):
                minute = 30
            ampm = (groups.get("ampm") or "").replace(".", "")
            if hour > 23 or minute > 59 or (ampm and hour > 12):
                continue
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            elif not ampm and not raw.startswith("0"):
                hour = _afternoonish(hour, explicit=False, part=part)
            return time(hour, minute), None, match.span()
    half = _HALF.search(normalized)
    if half is not None:
        hour = _hour(half["h"]) - (1 if half["kind"] == "halb" else 0)
        hour = _afternoonish(hour % 12 or 12, explicit=False, part=part) if hour <= 12 else hour
        return time(hour % 24, 30), None, half.span()
    noon = _NOON.search(normalized)
    if noon is not None:
        return time(12, 30 if noon.groupdict().get("half") else 0), None, noon.span()
    return None, None, None


def _day_of_month(day: int, today: date, month: int | None = None) -> date | None:
    """The next ``day`` (of ``month``) from today on."""
    for offset in range(0, 14):
        year = today.year + (today.month - 1 + offset) // 12
        candidate_month = (today.month - 1 + offset) % 12 + 1
        if month is not None and candidate_month != month:
            continue
        try:
            found = date(year, candidate_month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _weekday(wd: int, today: date, next_week: bool) -> date:
    if next_week:
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + wd)
    return today + timedelta(days=(wd - today.weekday()) % 7 or 7)


def find_days(normalized: str, today: date, part_spans: list[tuple[int, int]]) -> list[tuple[int, date]]:
    """Every day the text names, with where it starts."""
    found: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []

    def add(span: tuple[int, int], day: date | None) -> None:
        if day is not None and not any(s <= span[0] < e for s, e in taken):
            found.append((span[0], day))
            taken.append(span)

    for match in _DAY_MONTH.finditer(normalized):
        day, month = (match["d"], match["m"]) if match["d"] else (match["d2"], match["m2"])
        add(match.span(), _day_of_month(int(day), today, MONTHS[month]))
    next_week = _NEXT_WEEK.search(normalized) is not None
    for match in _WEEKDAY_DOM.finditer(normalized):
        by_dom = _day_of_month(int(match["d"]), today)
        # "viernes 15" is the 15th when the 15th is a Friday; otherwise the number is likely a time.
        if by_dom is not None and by_dom.weekday() == WEEKDAYS[match["wd"]]:
            add(match.span(), by_dom)
    for match in _MARKED_DOM.finditer(normalized):
        if match.group().strip().startswith(("am", "den", "dem")) and not match["ord"]:
            continue  # German writes the day with its dot: "am 14." (and "am 14" may be a time)
        add(match.span(), _day_of_month(int(match["d"]), today))
    for match in _BARE_ORDINAL.finditer(normalized):
        add(match.span(), _day_of_month(int(match["d"]), today))
    for match in _WEEKDAY_ONLY.finditer(normalized):
        add(match.span(), _weekday(WEEKDAYS[match["wd"]], today, next_week))
    for match in _RELATIVE.finditer(normalized):
        span = match.span()
        inside_part = any(s <= span[0] and span[1] <= e and (s, e) != span for s, e in part_spans)
        if not inside_part:
            add(span, today + timedelta(days=RELATIVE[match["w"]]))
    found.sort()
    return found
