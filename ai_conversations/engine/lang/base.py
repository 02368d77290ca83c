"""What a language module (``engine/lang/<code>.py``) declares: one upper-case name per field of ``Language``, in the
language's words, accent-free and lower case (``engine.text.normalize``). The fields with a default (words a language
may not have) can be left out."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import ModuleType


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
    common_words: str  # everyday words that tell the language apart, separated by spaces

    @classmethod
    def of(cls, module: ModuleType) -> Language:
        """The language a module declares (a name it lacks without a default is an error here, at import)."""
        declared = {item.name: getattr(module, item.name.upper(), None) for item in fields(cls)}
        return cls(**{name: words for name, words in declared.items() if words is not None})
