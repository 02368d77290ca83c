"""A request that finds the database down (refused, restarting, timed out connecting) gets a 503, not a 500.

Django closes a connection that raised at the end of the request, so the next request connects again: the web
recovers by itself when the database is back. Probes (/readyz) answer 503 on their own (config.health).
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

logger = logging.getLogger("chairside.db")

RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException) -> bool:
    """Connection-level failures only: a deadlock or a serialization failure is also an OperationalError, but the
    database answered (those stay errors of the request)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))  # connection exception, operator intervention


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not database_unavailable(exc):
            return None
        logger.warning("database unavailable", extra={"path": request.path, "error": str(exc)[:200]})
        response = JsonResponse({"detail": "The service is briefly unavailable; try again."}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
