"""The Celery application: JSON only, late acks, one queue per kind of work, routing by task module."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

from config import worker_metrics  # noqa: F401  (connects the worker's metrics endpoint signals)
from config.db.routing import connect_task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("chairside")
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
