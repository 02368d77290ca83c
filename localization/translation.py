"""Text from the gettext catalogs in a given language, and word lists kept in the catalog (one comma-separated
msgstr per list, so that a new language brings its own words with its catalog and no Python table changes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.utils.translation import override

from localization.locales import base_language, supported_languages

T = TypeVar("T")


def catalog_language(language: str | None) -> str:
    """The catalog ``language`` is read from: its base language when Chairside speaks it, else English."""
    code = base_language(language)
    return code if code in supported_languages() else "en"


def in_language(language: str | None, text: Callable[[], T]) -> T:
    """``text()`` (a function calling gettext/pgettext/ngettext) evaluated in ``language``'s catalog."""
    with override(catalog_language(language)):
        return text()


def word_list(text: str) -> frozenset[str]:
    """A catalog word list ("stop, unsubscribe, opt out") as a set of case-folded phrases."""
    return frozenset(" ".join(word.casefold().split()) for word in text.split(",") if word.strip())


def word_lists(text: Callable[[], str]) -> dict[str, frozenset[str]]:
    """The word list ``text()`` returns in each supported language: {"en": {...}, "de": {...}, ...}."""
    lists = {}
    for language in supported_languages():
        with override(language):
            lists[language] = word_list(str(text()))
    return lists
