"""Beat runs the daily backup and the weekly restore drill; the tasks do what the commands do."""

from __future__ import annotations

import io

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app
from dbops import metrics
from dbops.backup import backup_create, list_backups
from dbops.connection import admin_dsn
from dbops.tasks import backup_daily, restore_drill_weekly
from salons.tests.factories import SalonFactory


def test_beat_schedules_a_daily_backup_and_a_weekly_restore_drill():
    app.loader.import_default_modules()
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["dbops.tasks.backup_daily"] == crontab(hour=2, minute=0)
    assert entries["dbops.tasks.restore_drill_weekly"] == crontab(day_of_week="sunday", hour=4, minute=0)
    assert {"dbops.tasks.backup_daily", "dbops.tasks.restore_drill_weekly"} <= set(app.tasks)


@pytest.mark.django_db(transaction=True)
def test_daily_backup_task_backs_up_sets_the_metrics_and_the_weekly_drill_proves_it(backup_dir):
    SalonFactory.create_batch(2)
    path = backup_daily()
    ((folder, manifest),) = list_backups(backup_dir)
    assert str(folder) == path
    assert metrics.SIZE._value.get() == manifest["bytes"]
    assert restore_drill_weekly().endswith("ok=1")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db(transaction=True)
def test_progress_is_shown_on_a_terminal_only(backup_dir, monkeypatch):
    SalonFactory()
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    backup_create(dsn=admin_dsn(), backup_dir=backup_dir)
    assert "pg_dump" in terminal.getvalue() and "[###" in terminal.getvalue()
    assert "salons_salon" in terminal.getvalue()

    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    backup_create(dsn=admin_dsn(), backup_dir=backup_dir)
    assert piped.getvalue() == ""
