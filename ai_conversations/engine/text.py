"""Text helpers shared by the engine: accent-free lower-case text and word lists."""

from __future__ import annotations

import re
import unicodedata

WORD_RE = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case without accents (``"Mañana às 15h"`` → ``"manana as 15h"``); ß becomes ss."""
    text = unicodedata.normalize("NFKD", (text or "").lower().replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` and, for each of its characters, the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text or ""):
        for part in normalize(ch):
            out.append(part)
            origin.append(index)
    return "".join(out), origin


def blank_spans(text: str, spans: list[tuple[int, int]], origin: list[int]) -> str:
    """Replace the original characters behind normalized ``spans`` with spaces."""
    chars = list(text)
    for start, end in spans:
        if start >= end:
            continue
        for index in range(origin[start], origin[end - 1] + 1):
            chars[index] = " "
    return "".join(chars)


def words(text: str) -> list[str]:
    """Normalized words of a text."""
    return WORD_RE.findall(normalize(text).replace("'", "").replace("’", ""))


def keyword_regex(keywords: list[str]) -> re.Pattern:
    """One regex matching any of the (normalized) keywords or phrases as whole words."""
    alternatives = sorted({normalize(k) for k in keywords}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![a-z0-9])")
