"""Backups as one operation (dump, metrics, retention) for the command and the scheduled task alike."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from dbops import metrics
from dbops.backup import BackupResult, backup_create, prune_backups
from dbops.connection import admin_dsn


@dataclass
class BackupRun:
    backup: BackupResult
    kept: list[Path]
    pruned: list[Path]


def backup_and_prune(
    *,
    backup_dir: Path | None = None,
    fmt: str | None = None,
    jobs: int | None = None,
    encrypt: bool = True,
    keep_daily: int | None = None,
    keep_weekly: int | None = None,
    keep_monthly: int | None = None,
    prune: bool = True,
    show_progress: bool | None = None,
) -> BackupRun:
    """Back up the database, publish the metrics, then apply retention (only after a successful backup)."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    dsn = admin_dsn()
    result = backup_create(
        dsn=dsn,
        backup_dir=backup_dir,
        fmt=fmt or settings.BACKUP_FORMAT,
        jobs=jobs or settings.BACKUP_JOBS,
        recipients=settings.BACKUP_AGE_RECIPIENTS if encrypt else [],
        show_progress=show_progress,
    )
    metrics.observe(result.manifest)
    kept: list[Path] = []
    pruned: list[Path] = []
    if prune:
        kept, pruned = prune_backups(
            backup_dir,
            database=dsn.dbname,
            daily=settings.BACKUP_KEEP_DAILY if keep_daily is None else keep_daily,
            weekly=settings.BACKUP_KEEP_WEEKLY if keep_weekly is None else keep_weekly,
            monthly=settings.BACKUP_KEEP_MONTHLY if keep_monthly is None else keep_monthly,
        )
    return BackupRun(backup=result, kept=kept, pruned=pruned)
