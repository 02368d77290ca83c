"""The beat schedule, in code. Each issue adds its periodic tasks here; exactly one beat runs it."""

from __future__ import annotations

from celery.schedules import crontab


def _entry(task: str, schedule: float | crontab, *, expires: int | None = None, queue: str | None = None) -> dict:
    """One beat entry. ``expires`` (seconds) drops a run no worker started by then: the next one does its work."""
    options: dict = {"queue": queue} if queue else {}
    if expires is not None:
        options["expires"] = expires
    entry = {"task": task, "schedule": schedule}
    if options:
        entry["options"] = options
    return entry


CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Safety net behind the webhook relays: events nobody took within a few seconds, and due retries.
    "webhooks-process-due-events": _entry("webhooks.tasks.process_due_events", 15.0, expires=15),
    "webhooks-purge-processed-events": _entry("webhooks.tasks.purge_processed_events", crontab(hour=3, minute=17)),
    # Outbox sweeper: queued messages nobody picked up and sending ones whose worker died (lease expired).
    "messaging-outbound-sweep": _entry("messaging.tasks.outbound_sweep", 15.0, expires=15),
    # The assistant's pending replies whose task was lost (publish failed, worker killed): published again.
    "ai-assistant-replies-sweep": _entry("ai_conversations.tasks.assistant_replies_sweep", 10.0, expires=10),
    # Booking reminders are rows with a due time; this sends the due ones (never a Celery ETA hours ahead).
    "bookings-reminders-send-due": _entry("bookings.tasks.reminders_send_due", 60.0, expires=60),
    # Analytics of the assistant: inbound messages per salon, local day and intent (today and yesterday, idempotent).
    "analytics-intent-stats-rollup": _entry(
        "analytics.tasks.intent_stats_rollup_all", crontab(minute="*/15"), expires=600
    ),
    # Salon stats: today's rows every 5 minutes (and yesterday's final row on the first run after local midnight).
    "analytics-stats-refresh": _entry("analytics.tasks.stats_refresh_all", 300.0, expires=300),
    # Yesterday's rows again every hour, so late status webhooks (pricing) still reach the day they belong to.
    "analytics-stats-finalise-yesterday": _entry(
        "analytics.tasks.stats_finalise_yesterday_all", crontab(minute=7), expires=3000
    ),
    # Backups (dbops): a dump with manifest and retention every night, and a restore drill every week that proves the
    # latest one restores with identical counts and checksums (its BENCH line is logged).
    "dbops-backup-daily": _entry("dbops.tasks.backup_daily", crontab(hour=2, minute=0), expires=6 * 3600),
    "dbops-restore-drill-weekly": _entry(
        "dbops.tasks.restore_drill_weekly", crontab(day_of_week="sunday", hour=4, minute=0), expires=6 * 3600
    ),
    # Retention (dbops.retention): messages, AI messages, booking events, webhook events past RETENTION_*_DAYS.
    "dbops-retention-purge": _entry(
        "dbops.tasks.retention_purge_all", crontab(hour=3, minute=47), queue="default", expires=3600
    ),
}
