"""A database that does not answer is a 503 with Retry-After; an error the database answered with stays an error."""

from __future__ import annotations

import psycopg
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from config.db.unavailable import DatabaseUnavailableMiddleware


def _django_error(cls, cause: Exception) -> Exception:
    try:
        raise cls(str(cause)) from cause
    except cls as exc:
        return exc


def _handle(exc: Exception):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    return middleware.process_exception(RequestFactory().get("/api/v1/"), exc)


def test_a_refused_or_dropped_connection_is_a_503_with_retry_after():
    for exc in (
        _django_error(OperationalError, psycopg.OperationalError("connection failed: Connection refused")),
        _django_error(OperationalError, psycopg.errors.AdminShutdown("terminating connection")),
        _django_error(InterfaceError, psycopg.InterfaceError("the connection is closed")),
    ):
        response = _handle(exc)
        assert response.status_code == 503 and response["Retry-After"] == "5"


def test_a_deadlock_is_not_mistaken_for_an_unavailable_database():
    assert _handle(_django_error(OperationalError, psycopg.errors.DeadlockDetected("deadlock detected"))) is None
    assert _handle(ValueError("not a database error")) is None
