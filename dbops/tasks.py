"""Celery tasks of dbops (queue ``default``, thin wrappers; the beat schedule is in config/celery_schedule.py): the
daily backup, the weekly restore drill and the nightly retention purge."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from dbops.connection import admin_dsn
from dbops.restore import restore_drill
from dbops.retention import POLICIES, retention_purge
from dbops.services import backup_and_prune

logger = logging.getLogger("chairside.dbops")


def _backup_task(name: str):
    """A periodic backup job: no result kept, stopped softly at BACKUP_TASK_TIME_LIMIT and for good 5 minutes later."""
    return shared_task(
        name=name,
        ignore_result=True,
        soft_time_limit=settings.BACKUP_TASK_TIME_LIMIT,
        time_limit=settings.BACKUP_TASK_TIME_LIMIT + 300,
    )


@_backup_task("dbops.tasks.backup_daily")
def backup_daily() -> str:
    run = backup_and_prune()
    manifest = run.backup.manifest
    logger.info(
        "backup finished",
        extra={
            "path": str(run.backup.path),
            "bytes": manifest["bytes"],
            "rows": manifest["rows"],
            "pruned": len(run.pruned),
        },
    )
    return str(run.backup.path)


@_backup_task("dbops.tasks.restore_drill_weekly")
def restore_drill_weekly() -> str:
    result = restore_drill(
        dsn=admin_dsn(),
        backup_dir=settings.BACKUP_DIR,
        identity=settings.BACKUP_AGE_IDENTITY,
        jobs=settings.BACKUP_JOBS,
    )
    line = result.bench_line()
    (logger.info if result.ok else logger.error)(line, extra={"backup": str(result.backup), "missing": result.missing})
    return line


@shared_task(name="dbops.tasks.retention_purge_all", ignore_result=True)
def retention_purge_all(*, max_seconds: float = 40.0) -> dict[str, int]:
    """Purge every table past its retention, within the task's time limit; what is left goes at the next run."""
    budget = max_seconds / len(POLICIES)
    return {name: retention_purge(name=name, max_seconds=budget).deleted for name in POLICIES}
