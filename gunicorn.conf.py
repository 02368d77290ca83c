"""Gunicorn for production: gthread workers with keep-alive, JSON logs, Prometheus metrics merged across workers."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# gthread, not sync: a sync worker closes the connection after every response, so each webhook POST pays for a new TCP
# connection (accept, close, and the client's reconnect). gthread keeps connections alive, so Meta's deliveries and a
# proxy's upstream pool can reuse them. On 2 cores gthread gave 1750 webhook POSTs/s against 1537 for sync. After the
# request path got cheaper the two were within the VM's noise (1457–1524 against 1464–1670), and sync had the lower
# p99 (bench/RESULTS.md). With the default one thread, a worker still runs one request at a time (Django ORM,
# blocking I/O); scale with WEB_CONCURRENCY. GUNICORN_WORKER_CLASS=sync goes back.
# gunicorn_h1c (requirements.txt; gunicorn's own C parser, picked up when installed) parses the HTTP requests.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycling costs a full Django start per worker; at webhook rates 2000 meant a restart every few seconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
# Only the proxy in front may say the request came over HTTPS (SECURE_PROXY_SSL_HEADER trusts X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()

# Each worker writes its metrics to files here and /metrics merges them (prometheus_client multiprocess mode, which
# django_prometheus' view switches to when this variable is set). It must be set before any worker imports
# prometheus_client, hence at config load in the master.
PROMETHEUS_MULTIPROC_DIR = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / "chairside-prometheus"))
)


def on_starting(server) -> None:
    """Start from an empty metrics directory: files of a previous master would be counted forever."""
    shutil.rmtree(PROMETHEUS_MULTIPROC_DIR, ignore_errors=True)
    PROMETHEUS_MULTIPROC_DIR.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class JsonLogger(Logger):
    """Gunicorn's own lines as JSON (same shape as the app's), and one JSON access line per request.

    The query string is left out on purpose: the webhook handshake carries the verify token there.
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        from config.logging import JsonFormatter

        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = {name.lower(): value for name, value in resp.headers}
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "bytes": getattr(resp, "sent", None),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "request_id": headers.get("x-request-id"),
        }
        self.access_log.info("request", extra=fields)


logger_class = JsonLogger
