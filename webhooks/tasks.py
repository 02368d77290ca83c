"""Celery tasks of the webhooks app: the safety-net drain and the daily purge (both on the beat schedule)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from webhooks.relay import events_drain
from webhooks.services import events_purge


@shared_task
def process_due_events(*, max_seconds: float = 20.0, min_age_seconds: float = 5.0) -> int:
    """Process events the relays have not taken within a few seconds (no relay running, or retries due)."""
    return events_drain(batch_size=50, max_seconds=max_seconds, min_age_seconds=min_age_seconds)


@shared_task
def purge_processed_events(*, older_than_days: int = 30) -> int:
    return events_purge(older_than=timedelta(days=older_than_days))
