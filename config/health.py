"""Liveness (/healthz: the process answers) and readiness (/readyz: database, Redis and broker answer)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from config.celery import app
from dbops import metrics as backup_metrics

logger = logging.getLogger("chairside.health")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    finally:
        client.close()


def _check_broker() -> None:
    # One attempt, no back-off sleep: readiness must answer fast when the broker is down.
    with app.connection_for_write(settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=0, timeout=1)


CHECKS = {"database": _check_database, "redis": _check_redis, "broker": _check_broker}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict] = {}
    ok = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}
        except Exception as exc:  # any failure means "not ready"; the reason is named, not raised
            ok = False
            results[name] = {"ok": False, "error": exc.__class__.__name__}
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503)


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied.encode(), token.encode()):
            return False
    if settings.METRICS_ALLOWED_CIDRS:
        try:
            addr = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        if not any(addr in ipaddress.ip_network(cidr, strict=False) for cidr in settings.METRICS_ALLOWED_CIDRS):
            return False
    return True


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition; multiprocess-aware when PROMETHEUS_MULTIPROC_DIR is set (gunicorn with workers)."""
    if not _metrics_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    backup_metrics.refresh()  # the backup gauges come from the newest manifest on disk (dbops/metrics.py)
    return ExportToDjangoView(request)


class ProbeMiddleware:
    """Answers /healthz, /readyz and /metrics ahead of host validation and the HTTPS redirect.

    Load balancers, container health checks and Prometheus call by IP over plain HTTP inside the network, so these
    three must not depend on ALLOWED_HOSTS or SECURE_SSL_REDIRECT; /metrics keeps its own token/CIDR check.
    """

    VIEWS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
