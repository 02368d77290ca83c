"""The catalogs: every language translates every message (no fuzzy, no gaps, the same placeholders), every message the
code asks for is in the catalog, and the compiled catalogs are what gettext reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import pgettext

from localization import in_language, supported_languages, word_list
from localization.catalogs import LOCALE_DIR

ROOT = Path(settings.BASE_DIR)
TRANSLATED = [language for language in supported_languages() if language != "en"]
PLACEHOLDER = re.compile(r"\{\{\d+\}\}|%\([a-z_]+\)[sd]|\{[a-z_]*\}")


def catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def entries(language: str) -> dict[tuple[str | None, str], object]:
    return {(message.context, message.id): message for message in catalog(language) if message.id}


def test_every_language_chairside_speaks_has_a_catalog():
    assert sorted(supported_languages()) == sorted(path.name for path in LOCALE_DIR.iterdir() if path.is_dir())


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation_that_is_not_fuzzy(language):
    source, translated = entries("en"), entries(language)
    assert source, "the English catalog lists the messages"
    assert set(translated) == set(source), "the same msgids (and contexts) as the English catalog"
    for key, message in translated.items():
        assert isinstance(message.string, str) and message.string.strip(), f"{language}: no translation for {key}"
        assert not message.fuzzy, f"{language}: fuzzy translation for {key}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    for (context, msgid), message in entries(language).items():
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(msgid)), (context, msgid)


def test_every_message_the_code_asks_for_is_in_the_catalog():
    source = entries("en")
    asked = set()
    for directory in ("localization", "salons", "bookings", "messaging", "ai_conversations", "webhooks", "config"):
        for filename, _, message, _, context in extract_from_dir(
            ROOT / directory, method_map=[("**/tests/**.py", "ignore"), ("**.py", "python")], keywords=DEFAULT_KEYWORDS
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    asked.add((context, msgid, f"{directory}/{filename}"))
    missing = sorted(
        f"{where}: {context!r} {msgid!r}" for context, msgid, where in asked if (context, msgid) not in source
    )
    assert not missing, "\n".join(missing)


def test_the_compiled_catalog_is_what_gettext_reads():
    confirm = lambda: pgettext("reminder button", "Confirm")  # noqa: E731
    assert [in_language(language, confirm) for language in ("en", "de", "es", "pt")] == [
        "Confirm",
        "Bestätigen",
        "Confirmar",
        "Confirmar",
    ]
    assert in_language("pt-BR", confirm) == "Confirmar"  # a regional tag reads its language's catalog
    assert in_language("fr", confirm) == "Confirm"  # a language Chairside does not speak reads English


def test_a_word_list_is_case_folded_phrases():
    assert word_list(" Stop,  STOP ALL ,opt   out,, ") == {"stop", "stop all", "opt out"}
