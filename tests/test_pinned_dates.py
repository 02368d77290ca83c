"""The pinned-dates plugin: a marked test runs today and at every pinned moment, with the clock already there."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.pinned_dates import PINNED_MOMENTS

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_pinned_moments_cover_the_calendar_edges():
    days = {moment.date() for moment in PINNED_MOMENTS.values()}
    assert {d.day for d in days} >= {1, 12, 13, 31, 29}
    assert date(2028, 2, 29) in days and any((d.month, d.day) == (12, 31) for d in days)
    # Both Europe/Berlin clock changes: the UTC offset differs an hour before and an hour after the pinned moment.
    changes = [
        m for m in PINNED_MOMENTS.values() if (m - timedelta(hours=1)).astimezone(BERLIN).utcoffset()
        != (m + timedelta(hours=1)).astimezone(BERLIN).utcoffset()
    ]  # fmt: skip
    assert len(changes) == 2


@pytest.fixture
def clock_seen_by_fixtures():
    return timezone.now()


@pytest.mark.pinned_dates
def test_a_marked_test_and_its_fixtures_run_at_the_pinned_moment(pinned_moment, clock_seen_by_fixtures):
    if pinned_moment is None:
        assert abs(timezone.now() - clock_seen_by_fixtures) < timedelta(minutes=5)
        return
    assert timedelta(0) <= clock_seen_by_fixtures - pinned_moment < timedelta(minutes=5)
    assert timedelta(0) <= timezone.now() - pinned_moment < timedelta(minutes=5)
