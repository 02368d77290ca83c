"""Prometheus metrics of backups, read from the newest manifest in BACKUP_DIR so every process reports the same.

The backup runs in a worker (or cron) while /metrics is served by gunicorn workers in multiprocess mode; the
manifests on disk are the one record they share. ``refresh`` re-reads the newest manifest (at most every few seconds)
and sets the gauges in the calling process; the merged values are the newest any process saw (``max`` of the
timestamps, ``mostrecent`` size). The web container needs BACKUP_DIR mounted (read-only is enough) to show them.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from prometheus_client import Gauge

from dbops.backup import list_backups

LAST_SUCCESS = Gauge(
    "chairside_backup_last_success_timestamp_seconds",
    "Unix time the newest complete backup (dump + manifest) finished; alert when it is older than ~26 h.",
    multiprocess_mode="max",
)
SIZE = Gauge(
    "chairside_backup_size_bytes",
    "Size of the newest complete backup's dump files, in bytes.",
    multiprocess_mode="mostrecent",
)

_REFRESH_EVERY = 15.0
_last_refresh = 0.0


def observe(manifest: dict) -> None:
    LAST_SUCCESS.set(datetime.fromisoformat(manifest["finished_at"]).timestamp())
    SIZE.set(manifest["bytes"])


def refresh(backup_dir: Path | None = None, *, force: bool = False) -> None:
    """Set the gauges from the newest manifest on disk (cheap; throttled unless ``force``)."""
    global _last_refresh
    now = time.monotonic()
    if not force and now - _last_refresh < _REFRESH_EVERY:
        return
    _last_refresh = now
    backups = list_backups(Path(backup_dir or settings.BACKUP_DIR))
    if backups:
        observe(backups[-1][1])
