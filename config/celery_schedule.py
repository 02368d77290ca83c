"""The beat schedule, in code. Each issue adds its periodic tasks here; exactly one beat runs it."""

from __future__ import annotations

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Safety net behind the webhook relays: events nobody took within a few seconds, and due retries.
    "webhooks-process-due-events": {
        "task": "webhooks.tasks.process_due_events",
        "schedule": 15.0,
        "options": {"expires": 15},
    },
    "webhooks-purge-processed-events": {
        "task": "webhooks.tasks.purge_processed_events",
        "schedule": crontab(hour=3, minute=17),
    },
    # Outbox sweeper: queued messages nobody picked up and sending ones whose worker died (lease expired).
    "messaging-outbound-sweep": {
        "task": "messaging.tasks.outbound_sweep",
        "schedule": 15.0,
        "options": {"expires": 15},
    },
    # The assistant's pending replies whose task was lost (publish failed, worker killed): published again.
    "ai-assistant-replies-sweep": {
        "task": "ai_conversations.tasks.assistant_replies_sweep",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    # Booking reminders are rows with a due time; this sends the due ones (never a Celery ETA hours ahead).
    "bookings-reminders-send-due": {
        "task": "bookings.tasks.reminders_send_due",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # Analytics of the assistant: inbound messages per salon, local day and intent (today and yesterday, idempotent).
    "analytics-intent-stats-rollup": {
        "task": "analytics.tasks.intent_stats_rollup_all",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    # Salon stats: today's rows every 5 minutes (and yesterday's final row on the first run after local midnight).
    "analytics-stats-refresh": {
        "task": "analytics.tasks.stats_refresh_all",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    # Yesterday's rows again every hour, so late status webhooks (pricing) still reach the day they belong to.
    "analytics-stats-finalise-yesterday": {
        "task": "analytics.tasks.stats_finalise_yesterday_all",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # Backups (dbops): a dump with manifest and retention every night, and a restore drill every week that proves the
    # latest one restores with identical counts and checksums (its BENCH line is logged).
    "dbops-backup-daily": {
        "task": "dbops.tasks.backup_daily",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "dbops-restore-drill-weekly": {
        "task": "dbops.tasks.restore_drill_weekly",
        "schedule": crontab(day_of_week="sunday", hour=4, minute=0),
        "options": {"expires": 6 * 3600},
    },
    # Retention (dbops.retention): messages, AI messages, booking events, webhook events past RETENTION_*_DAYS.
    "dbops-retention-purge": {
        "task": "dbops.tasks.retention_purge_all",
        "schedule": crontab(hour=3, minute=47),
        "options": {"queue": "default", "expires": 3600},
    },
}
