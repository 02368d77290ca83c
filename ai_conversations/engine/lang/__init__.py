"""One module per language the assistant reads: its words for days, months, times and parts of the day, its
intent keywords and the everyday words that tell the language apart. Adding a language is one such module (listed
in ``LANGUAGES``) plus its gettext catalog (``localization/locale/<lang>``). Everything is written accent-free and
lower case (``engine.text.normalize``)."""

from __future__ import annotations

from ai_conversations.engine.lang import de, en, es, pt

LANGUAGES = {module.CODE: module for module in (en, es, pt, de)}


def merged(name: str) -> dict:
    """One vocabulary table (``WEEKDAYS``, ``MONTHS``, ...) of every language together."""
    table: dict = {}
    for module in LANGUAGES.values():
        table.update(getattr(module, name))
    return table


def joined(name: str) -> list:
    """One word list (``NEXT_BEFORE``, ...) of every language together."""
    return [word for module in LANGUAGES.values() for word in getattr(module, name)]


def intent_keywords(intent: str) -> list[str]:
    return [word for module in LANGUAGES.values() for word in module.INTENTS.get(intent, [])]
