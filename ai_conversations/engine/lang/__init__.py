"""One keyword file per language the assistant reads (``<code>.toml`` in this folder): its words for days, months,
times and parts of the day, its intent keywords and the everyday words that tell the language apart, one key per field
of ``base.Language``. Adding a language is one such file (its code in ``CODES``) plus its gettext catalog
(``localization/locale/<lang>``). Everything is written accent-free and lower case (``engine.text.normalize``)."""

from __future__ import annotations

from pathlib import Path

from ai_conversations.engine.lang.base import Language

# In this order: where two languages use the same word in a table (``merged``), the later one's meaning wins.
CODES = ("en", "es", "pt", "de")
LANGUAGES: dict[str, Language] = {code: Language.load(Path(__file__).with_name(f"{code}.toml")) for code in CODES}


def merged(name: str) -> dict:
    """One vocabulary table (``weekdays``, ``months``, ...) of every language together."""
    table: dict = {}
    for language in LANGUAGES.values():
        table.update(getattr(language, name))
    return table


def joined(name: str) -> list:
    """One word list (``next_before``, ...) of every language together."""
    return [word for language in LANGUAGES.values() for word in getattr(language, name)]


def intent_keywords(intent: str) -> list[str]:
    return [word for language in LANGUAGES.values() for word in language.intents.get(intent, [])]
