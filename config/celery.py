"""The Celery application: JSON only, late acks, one queue per kind of work, routing by task module.

Every task is retried (with backoff) when the database is unreachable or restarting, instead of failing and being
acknowledged away: ``ChairsideTask`` sets ``autoretry_for`` on the class, which Celery applies to every task.
"""

from __future__ import annotations

import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError
from kombu import Queue

from config import worker_metrics  # noqa: F401  (connects the worker's metrics endpoint signals)
from config.db.routing import connect_task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class ChairsideTask(Task):
    """The base of every task: a connection-level database error retries the task (1 s, 2 s, 4 s, … up to 30 s,
    jittered) for about five minutes. Tasks are idempotent (late acks already require it), so a retry is safe."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 1
    retry_backoff_max = 30
    retry_jitter = True
    max_retries = 12


app = Celery("chairside", task_cls=ChairsideTask)
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("webhooks", "outbound", "default", "rollups")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_routes = [
    {
        "webhooks.tasks.*": {"queue": "webhooks"},
        "messaging.tasks.*": {"queue": "outbound"},
        "analytics.tasks.*": {"queue": "rollups"},
    }
]
app.autodiscover_tasks()
connect_task_signals()  # each task starts a fresh replica-routing life (config.db.routing)
