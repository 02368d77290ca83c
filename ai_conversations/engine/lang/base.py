"""What a language's keyword file (``engine/lang/<code>.toml``) holds: one key per field of ``Language``, in the
language's words, accent-free and lower case (``engine.text.normalize``). The fields with a default (words a language
may not have) can be left out. Weekdays, months and hour words are numbered lists: the words in order, words for the
same number joined by "/" ("september/sep/sept")."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class Language:
    code: str
    weekdays: dict[str, int]  # Monday is 0
    months: dict[str, int]  # January is 1
    relative_days: dict[str, int]  # days from today: "tomorrow" is 1
    next_before: list[str]  # "next Monday": its next occurrence
    next_after: list[str] = field(default_factory=list)  # the same word after the weekday ("el lunes que viene")
    next_week: list[str]  # "next week Wednesday": that weekday of the next calendar week
    day_markers: list[str]  # "the 14th"
    parts: dict[str, list[str]]  # morning, afternoon, evening
    noon: list[str]
    at: list[str]  # "at 10"
    after: list[str]  # "after 4"
    half_past: list[str] = field(default_factory=list)  # before the hour: "half past two" is 2:30
    hour_words: dict[str, int]  # "two" is 2
    half_after: list[str] = field(default_factory=list)  # after the hour: "a las 12 y media" is 12:30
    greetings_with_time: list[str]  # "good morning" names no time
    duration_words: list[str]  # "10 min" is no clock time
    intents: dict[str, list[str]]  # intent (and handoff kind) -> keywords
    common_words: str  # everyday words that tell the language apart, separated by white space

    @classmethod
    def load(cls, path: Path) -> Language:
        """The language a keyword file declares (a missing key without a default is an error here, at import)."""
        with path.open("rb") as file:
            words = tomllib.load(file)
        numbering = {"weekdays": 0, "months": 1, "hour_words": 1}
        return cls(**{**words, **{name: numbered(words[name], first=first) for name, first in numbering.items()}})


def numbered(words: str, *, first: int = 1) -> dict[str, int]:
    """Numbers in a language's words, in order from ``first``: ``numbered("one two")`` is {"one": 1, "two": 2}.
    Words for the same number are joined by "/" ("september/sep/sept")."""
    return {word: number for number, synonyms in enumerate(words.split(), start=first) for word in synonyms.split("/")}
