"""The assistant writes bookings only through bookings.services, and only from actions.py (grep-able, checked)."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[1]


def source_files():
    return [p for p in APP.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_only_actions_calls_the_bookings_services():
    callers = {p.relative_to(APP).as_posix() for p in source_files() if "bookings.services" in p.read_text()}
    assert callers == {"actions.py"}


def test_no_booking_row_is_written_directly():
    pattern = re.compile(
        r"\bBooking\.(objects|all_salons)\.(create|update|bulk_|get_or_create|update_or_create)|\bBooking\("
    )
    offenders = [p.name for p in source_files() if pattern.search(p.read_text())]
    assert offenders == []
