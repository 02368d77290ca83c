"""Compile the gettext catalogs (``locale/<lang>/LC_MESSAGES/django.po``) to ``.mo`` with Babel.

Babel instead of GNU gettext's ``msgfmt`` (which Django's ``compilemessages`` needs): the build, ``make`` and the test
suite compile with what ``requirements.txt`` installs. Fuzzy entries are left out, as ``msgfmt`` does."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def compile_catalogs(*, force: bool = False) -> list[Path]:
    """Write each catalog's ``.mo`` when it is missing or older than its ``.po``; return the ``.mo`` files written."""
    written = []
    for po_path in catalog_files():
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)  # atomic: a concurrent reader (another xdist worker) never sees half a file
        written.append(mo_path)
    return written
