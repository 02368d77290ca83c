"""Retention keeps exactly the promised daily/weekly/monthly set and deletes the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from dbops.backup import list_backups, prune_backups
from dbops.connection import admin_dsn


def _fake_backup(backup_dir, when: datetime, database="chairside"):
    folder = backup_dir / f"{database}-{when:%Y%m%dT%H%M%S}Z"
    folder.mkdir(parents=True)
    (folder / "dump").write_bytes(b"x")
    manifest = {"database": database, "created_at": when.isoformat(), "finished_at": when.isoformat(), "bytes": 1}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_pruning_keeps_7_daily_4_weekly_12_monthly_of_a_year_of_daily_backups(tmp_path):
    start = datetime(2025, 10, 27, 2, 0, tzinfo=UTC)
    day = start
    while day.date() <= datetime(2026, 11, 30).date():
        _fake_backup(tmp_path, day)
        day += timedelta(days=1)
    _fake_backup(tmp_path, datetime(2026, 11, 30, 14, 0, tzinfo=UTC))  # a second one today: the newest counts
    _fake_backup(tmp_path, datetime(2026, 11, 30, 15, 0, tzinfo=UTC), database="other")  # another database's
    (tmp_path / ".chairside-20261130T160000Z.partial").mkdir()  # a backup in progress is not touched

    kept, deleted = prune_backups(tmp_path, database="chairside", daily=7, weekly=4, monthly=12)

    kept_times = sorted(folder.name.removeprefix("chairside-") for folder in kept)
    expected = [
        "20251231T020000Z",  # monthly: December 2025 ... October 2026 (the last day of each month)
        "20260131T020000Z",
        "20260228T020000Z",
        "20260331T020000Z",
        "20260430T020000Z",
        "20260531T020000Z",
        "20260630T020000Z",
        "20260731T020000Z",
        "20260831T020000Z",
        "20260930T020000Z",
        "20261031T020000Z",
        "20261115T020000Z",  # weekly: ISO weeks 46 and 47 (the Sundays); weeks 48 and 49 are within the dailies
        "20261122T020000Z",
        "20261124T020000Z",  # daily: 24..29 November, and today's newest
        "20261125T020000Z",
        "20261126T020000Z",
        "20261127T020000Z",
        "20261128T020000Z",
        "20261129T020000Z",
        "20261130T140000Z",
    ]
    assert kept_times == expected
    assert len(deleted) == 401 - len(expected)
    remaining = {folder.name for folder, _ in list_backups(tmp_path)}
    assert remaining == {f"chairside-{name}" for name in expected} | {"other-20261130T150000Z"}
    assert (tmp_path / ".chairside-20261130T160000Z.partial").is_dir()


def test_pruning_with_fewer_backups_than_the_policy_keeps_them_all(tmp_path):
    for days_ago in range(3):
        _fake_backup(tmp_path, datetime(2026, 11, 30, 2, tzinfo=UTC) - timedelta(days=days_ago))
    kept, deleted = prune_backups(tmp_path, database="chairside", daily=7, weekly=4, monthly=12)
    assert len(kept) == 3 and deleted == []


@pytest.mark.django_db(transaction=True)
def test_db_backup_prunes_after_a_successful_backup(backup_dir):
    old = _fake_backup(backup_dir, datetime(2020, 1, 1, tzinfo=UTC), database=admin_dsn().dbname)
    out = StringIO()
    call_command("db_backup", "--keep-daily=1", "--keep-weekly=0", "--keep-monthly=0", stdout=out)
    assert not old.exists()
    assert [m["database"] for _, m in list_backups(backup_dir)] == [admin_dsn().dbname]
    assert "retention: kept 1, pruned 1" in out.getvalue()
