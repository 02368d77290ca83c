"""Periodic database upkeep (thin wrappers; the beat schedule is in config/celery_schedule.py)."""

from __future__ import annotations

from celery import shared_task

from dbops.retention import POLICIES, retention_purge


@shared_task(name="dbops.tasks.retention_purge_all", ignore_result=True)
def retention_purge_all(*, max_seconds: float = 40.0) -> dict[str, int]:
    """Purge every table past its retention, within the task's time limit; what is left goes at the next run."""
    budget = max_seconds / len(POLICIES)
    return {name: retention_purge(name=name, max_seconds=budget).deleted for name in POLICIES}
