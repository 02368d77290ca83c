"""A request that finds the database down (refused, restarting, timed out connecting) gets a 503, not a 500.

Django closes a connection that raised at the end of the request, so the next request connects again: the web
recovers by itself when the database is back. Probes (/readyz) answer 503 on their own (config.health).

Two ways an unavailable database reaches this middleware, both answered 503 with ``Retry-After``:

- the view raised (``process_exception``);
- anything below it raised: another middleware (sessions, auth, the replica pin), DRF, or the view's error handling
  (a broken connection found again while rolling back or in ``on_commit``). Django turns those into a 500 response
  before they get here; the ``got_request_exception`` signal it sends first marks the request, and ``__call__``
  answers 503 instead of that 500.

An error is "unavailable" when it, or an error it was raised from or while handling, is a connection-level failure
(Django's or psycopg's own, when raised outside Django's wrapper).
"""

from __future__ import annotations

import logging
import sys

import psycopg
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

logger = logging.getLogger("chairside.db")

RETRY_AFTER_SECONDS = 5
_MARK = "_chairside_database_unavailable"


def _connection_level(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError | psycopg.InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        exc = exc.__cause__ or exc
    if not isinstance(exc, OperationalError | psycopg.OperationalError):
        return False
    sqlstate = getattr(exc, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(("08", "57P"))  # connection exception, operator intervention


def database_unavailable(exc: BaseException | None) -> bool:
    """Connection-level failures only: a deadlock or a serialization failure is also an OperationalError, but the
    database answered (those stay errors of the request). Follows ``raise … from`` and "during handling of"."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if _connection_level(exc):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable_response() -> JsonResponse:
    response = JsonResponse({"detail": "The service is briefly unavailable; try again."}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _mark_request(sender, request=None, **kwargs) -> None:
    if request is not None and database_unavailable(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_request, dispatch_uid="chairside-database-unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            logger.warning("database unavailable (below the view)", extra={"path": request.path})
            return unavailable_response()
        return response

    def process_exception(self, request, exc):
        if not database_unavailable(exc):
            return None
        logger.warning("database unavailable", extra={"path": request.path, "error": str(exc)[:200]})
        return unavailable_response()
