"""Pytest plugin (registered in the root conftest): date-sensitive tests run today and again at pinned moments.

A test or module marked ``@pytest.mark.pinned_dates`` runs once at the real "now" and once per moment in
``PINNED_MOMENTS`` with the clock moved there by time-machine (ticking, so timeouts still work): the first of a
month, the 12th and 13th (the last day that is also a month number, and the first that is not), New Year's Eve,
a leap day, and both days Europe/Berlin changes its clocks (at the change itself, when local time jumps or repeats).

``--pinned-dates=all`` (the default, so ``make test`` and CI run them), ``--pinned-dates=none`` (only today), or a
comma-separated list of ids (``--pinned-dates=dec31,leap-day``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

TODAY = "today"

# Instants in UTC. 08:00 UTC is morning in Europe and night in the Americas, so both sides of a date line are seen.
PINNED_MOMENTS: dict[str, datetime] = {
    "month-1st": datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    "month-12th": datetime(2027, 1, 12, 8, 0, tzinfo=UTC),
    "month-13th": datetime(2026, 11, 13, 8, 0, tzinfo=UTC),
    "dec31": datetime(2026, 12, 31, 8, 0, tzinfo=UTC),
    "leap-day": datetime(2028, 2, 29, 8, 0, tzinfo=UTC),
    # Europe/Berlin: 29 March 2026, 02:00 CET -> 03:00 CEST (01:00 UTC); 30 minutes before the jump.
    "dst-spring": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    # Europe/Berlin: 25 October 2026, 03:00 CEST -> 02:00 CET (01:00 UTC); inside the hour that happens twice.
    "dst-autumn": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
}

MARKER = "pinned_dates"


def pytest_addoption(parser):
    parser.addoption(
        "--pinned-dates",
        default="all",
        help="Run tests marked pinned_dates also at pinned moments: all (default), none, or ids separated by commas "
        f"({', '.join(PINNED_MOMENTS)}).",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}: run this test today and again at each pinned date (time-machine)")


def _selected(config) -> list[str]:
    value = (config.getoption("--pinned-dates") or "all").strip()
    if value == "all":
        return list(PINNED_MOMENTS)
    if value == "none":
        return []
    ids = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in ids if item not in PINNED_MOMENTS]
    if unknown:
        raise pytest.UsageError(f"--pinned-dates: unknown ids {unknown}; known: {', '.join(PINNED_MOMENTS)}")
    return ids


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker(MARKER) is None:
        return
    metafunc.parametrize("pinned_moment", [TODAY, *_selected(metafunc.config)], indirect=True)


@pytest.fixture(autouse=True)
def pinned_moment(request):
    """The pinned moment this run of the test travels to (None: today). Autouse, so the clock is there before the
    test's own fixtures build their rows and dates."""
    name = getattr(request, "param", TODAY)
    if name == TODAY:
        yield None
        return
    moment = PINNED_MOMENTS[name]
    with time_machine.travel(moment, tick=True):
        yield moment
