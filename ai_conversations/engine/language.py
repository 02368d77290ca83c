"""Which of the supported languages (en/es/pt/de) a message is written in, by keyword scoring (no network)."""

from __future__ import annotations

import re

from ai_conversations.engine.lang import LANGUAGES
from ai_conversations.engine.text import normalize, words

SUPPORTED = tuple(LANGUAGES)


# Distinctive everyday words (accent-free), from each language's module. Words shared by two languages simply score
# for both.
_KEYWORDS: dict[str, frozenset[str]] = {code: frozenset(lang.common_words.split()) for code, lang in LANGUAGES.items()}
# Letters that only one of the languages uses.
_LETTERS = {"es": "ñ¿¡", "pt": "ãõç", "de": "äöüß"}


def language_scores(text: str) -> dict[str, int]:
    tokens = words(text)
    lowered = (text or "").lower()
    scores = {lang: sum(1 for t in tokens if t in keys) for lang, keys in _KEYWORDS.items()}
    for lang, letters in _LETTERS.items():
        scores[lang] += 2 * sum(lowered.count(ch) for ch in letters)
    return scores


def detect_language(text: str, fallback: str = "en") -> str:
    """The clearly best-scoring language, else ``fallback`` (the conversation's or customer's language)."""
    fallback = fallback if fallback in SUPPORTED else "en"
    scores = language_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score == 0:
        return fallback
    if best_score == second_score:
        # A tie that includes the fallback keeps the fallback; any other tie is no evidence either.
        return fallback
    return best


def supported_language(code: str | None, default: str = "en") -> str:
    code = normalize(code or "")[:2]
    return code if code in SUPPORTED else default


# German shows its register: "Sie"/"Ihnen"/"Ihr" in capitals (after the first word) is formal, "du"/"dir"/"euch" is not.
_FORMAL_DE = re.compile(r"(?<=\S)\s+(?:Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem)\b")
_INFORMAL_DE = re.compile(r"\b(?:du|dir|dich|dein|deine|deinen|euch|euer|eure|habt|könnt|kannst|hast)\b", re.IGNORECASE)


_FORMAL_ES = re.compile(r"\busted\b", re.IGNORECASE)
_INFORMAL_ES = re.compile(r"\b(?:tú|puedes|tienes|quieres|podrías|sabes|dime)\b", re.IGNORECASE)


def customer_register(text: str, language: str) -> str | None:
    """ "formal" or "informal" when the customer's own words show it (German Sie/du, Spanish usted/tú), else None."""
    if not text:
        return None
    if language == "es":
        if _FORMAL_ES.search(text):
            return "formal"
        return "informal" if _INFORMAL_ES.search(text) else None
    if language != "de":
        return None
    if _FORMAL_DE.search(text) or re.match(r"\s*(?:Können|Könnten|Haben|Würden) Sie\b", text):
        return "formal"
    if _INFORMAL_DE.search(text):
        return "informal"
    return None
