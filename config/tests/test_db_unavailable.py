"""A database that does not answer is a 503 with Retry-After; an error the database answered with stays an error."""

from __future__ import annotations

import psycopg
import pytest
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


def test_a_raw_psycopg_error_and_an_error_raised_while_handling_one_are_503():
    from django.db import transaction

    assert _handle(psycopg.OperationalError("consuming input failed: server closed the connection")).status_code == 503
    try:
        try:
            raise _django_error(InterfaceError, psycopg.InterfaceError("the connection is lost"))
        except InterfaceError as lost:
            raise transaction.TransactionManagementError("An error occurred in the current transaction.") from lost
    except transaction.TransactionManagementError as exc:
        assert _handle(exc).status_code == 503


@pytest.mark.django_db
def test_the_database_failing_below_the_view_is_a_503_not_a_500(monkeypatch):
    from django.test import Client

    from config.db.routing import ReplicaPinMiddleware

    def broken(self, request):
        raise _django_error(OperationalError, psycopg.errors.CannotConnectNow("the database system is starting up"))

    monkeypatch.setattr(ReplicaPinMiddleware, "__call__", broken)
    response = Client(raise_request_exception=False).post("/api/v1/bookings/", {}, content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["detail"].startswith("The service is briefly unavailable")


@pytest.mark.django_db
def test_any_other_error_below_the_view_stays_a_500(monkeypatch):
    from django.test import Client

    from config.db.routing import ReplicaPinMiddleware

    def broken(self, request):
        raise _django_error(OperationalError, psycopg.errors.DeadlockDetected("deadlock detected"))

    monkeypatch.setattr(ReplicaPinMiddleware, "__call__", broken)
    assert Client(raise_request_exception=False).get("/api/v1/").status_code == 500
