"""One module per language the assistant reads: its words for days, months, times and parts of the day, its
intent keywords and the everyday words that tell the language apart, one name per field of ``base.Language``. Adding a
language is one such module (listed in ``LANGUAGES``) plus its gettext catalog (``localization/locale/<lang>``).
Everything is written accent-free and lower case (``engine.text.normalize``)."""

from __future__ import annotations

from ai_conversations.engine.lang import de, en, es, pt
from ai_conversations.engine.lang.base import Language

LANGUAGES: dict[str, Language] = {language.code: language for language in map(Language.of, (en, es, pt, de))}


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
