"""Prometheus metrics of a Celery worker: one HTTP endpoint for the pool, merged across its forked children.

Set ``CELERY_METRICS_PORT`` (and ``PROMETHEUS_MULTIPROC_DIR``, before Python starts, as ``deploy/entrypoint.sh`` does)
and the worker's main process serves what its children counted (outbound sends, Graph errors, webhook processing) on
that port. Without the variable nothing is started, so tests and ``make run`` are unaffected.
"""

from __future__ import annotations

import logging
import os

from celery.signals import worker_process_shutdown, worker_ready
from prometheus_client import CollectorRegistry, multiprocess, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("chairside.metrics")


@worker_ready.connect
def start_metrics_server(**_kwargs):
    """Serve the worker's metrics when CELERY_METRICS_PORT is set; returns the HTTP server (None when off)."""
    port = int(os.environ.get("CELERY_METRICS_PORT") or 0)
    if not port:
        return None
    registry = None
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    addr = os.environ.get("CELERY_METRICS_ADDR", "127.0.0.1")
    server, _thread = start_http_server(port, addr=addr, **({"registry": registry} if registry else {}))
    logger.info("worker metrics served", extra={"port": port, "addr": addr})
    return server


@worker_process_shutdown.connect
def forget_dead_child(pid=None, **_kwargs) -> None:
    if pid and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
