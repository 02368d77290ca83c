"""The Celery application: JSON only, late acks, one queue per kind of work, routing by task module.

Every task is retried (with backoff) when the database is unreachable or restarting, instead of failing and being
acknowledged away: ``ChairsideTask`` sets ``autoretry_for`` on the class, which Celery applies to every task.
"""

from __future__ import annotations

import os

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun
from django.db import InterfaceError, OperationalError, close_old_connections
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
# Celery's Django fixup (5.5+) *closes* every database connection before and after each task unless this is set: a new
# PostgreSQL backend (fork, authentication, session setup) per task, its prepared statements lost. Profiled in
# bench_outbound: one connect per task, a fifth of a delivery's time in the worker plus a backend fork on the server.
# With it set the fixup closes them only every 2 × N tasks; ``close_old_connections`` below keeps Django's own rules
# per task (CONN_MAX_AGE, a connection that saw an error or failed its health check is closed).
app.conf.CELERY_DB_REUSE_MAX = 500

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


@task_prerun.connect(weak=False, dispatch_uid="chairside-db-connections-prerun")
@task_postrun.connect(weak=False, dispatch_uid="chairside-db-connections-postrun")
def _close_old_connections(sender=None, **_kwargs) -> None:
    if not getattr(getattr(sender, "request", None), "is_eager", False):  # eager: the caller's connection, untouched
        close_old_connections()


connect_task_signals()  # each task starts a fresh replica-routing life (config.db.routing)
