"""Row-level security: the database-side backstop of the salon scope.

Every tenant-owned table has a forced policy (``dbops.rls``) that shows and accepts only rows whose ``salon_id`` is
the transaction-local setting ``chairside.salon_id``, or every row when ``chairside.all_salons`` is ``on``. Unset,
a tenant table shows no rows at all.

The settings are sent by ``rls_execute``, an execute wrapper every connection of ``config.db`` carries, from the
*database scope* (a context variable) that ``salon_scope`` and ``all_salons()`` set:

- Inside a transaction (an ``atomic`` block) the two ``set_config(…, true)`` calls are sent once per transaction and
  scope change, pipelined with the statement that needs them (no extra round trip); commit, rollback and a rollback to
  a savepoint forget what was sent, since PostgreSQL forgets it too.
- Outside a transaction (autocommit) every statement in a scope is pipelined behind its ``set_config`` calls: the
  statements of one pipeline sync run as one implicit transaction, so the transaction-local setting reaches the
  statement and dies with it. Nothing is ever left in the session, so a PgBouncer in transaction mode may hand the
  server connection to anyone afterwards.

The one escape hatch is ``all_salons()`` (and the ``Model.all_salons`` manager, whose queries run inside it): it is
greppable, and it is what webhook routing, beat sweepers, the superuser admin and operators' commands use.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

ALL_SALONS = "*"
NO_SCOPE = ("", "off")
SET_SQL = "SELECT set_config('chairside.salon_id', %s, true), set_config('chairside.all_salons', %s, true)"
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
SET_SESSION_SQL = "SELECT set_config('chairside.salon_id', %s, false), set_config('chairside.all_salons', %s, false)"

# None: no scope (tenant tables show nothing); ALL_SALONS: the escape hatch; otherwise a salon id.
_db_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("chairside_db_scope", default=None)


@contextmanager
def _database_scope(value: str | None) -> Iterator[None]:
    token = _db_scope.set(value)
    try:
        yield
    finally:
        _db_scope.reset(token)


def all_salons():
    """Cross tenants in the database too: the ONE escape hatch of row-level security. Use it only where crossing is
    the point (webhook routing, beat sweepers, the superuser admin, operators' commands); ``salon_scope`` inside it
    narrows again."""
    return _database_scope(ALL_SALONS)


def db_salon(salon_id: uuid.UUID | str | None):
    """The database scope of one salon (``salon_scope`` uses it; so does writing an object whose salon is set)."""
    return _database_scope(None if salon_id is None else str(salon_id))


def db_salons(salon_ids: Iterable[uuid.UUID | str]):
    """The database scope of a few salons (a staff user's salons in the admin); none at all if empty."""
    return _database_scope(",".join(str(uuid.UUID(str(salon_id))) for salon_id in salon_ids) or None)


def no_db_scope():
    """No database scope: tenant tables show no rows (entry points such as a request start here)."""
    return _database_scope(None)


def db_scope() -> tuple[str, str]:
    """The (``chairside.salon_id``, ``chairside.all_salons``) pair the next statement must run with."""
    value = _db_scope.get()
    if value is None:
        return NO_SCOPE
    if value == ALL_SALONS:
        return ("", "on")
    return (value, "off")


_OUTSIDE_TRANSACTIONS = re.compile(
    r"^\s*(?:(?:CREATE|DROP|REINDEX)\b[^;]*\bCONCURRENTLY\b|VACUUM\b|(?:CREATE|DROP|ALTER)\s+DATABASE\b|ALTER\s+SYSTEM\b)",
    re.IGNORECASE,
)


def rls_execute(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """Execute wrapper: run the statement with the database scope's settings, transaction-locally."""
    if sql.startswith(_TRANSACTION_CONTROL):  # savepoints: nothing to filter, and maybe an aborted transaction
        return execute(sql, params, many, context)
    db = context["connection"]
    want = db_scope()
    in_transaction = not db.autocommit
    if in_transaction:
        if db.rls_applied == want:
            return execute(sql, params, many, context)
    elif want == NO_SCOPE and not db.rls_session_dirty:
        return execute(sql, params, many, context)
    if not in_transaction and _OUTSIDE_TRANSACTIONS.search(sql):
        # CREATE/DROP INDEX CONCURRENTLY, VACUUM, CREATE DATABASE ...: refused inside a pipeline's implicit
        # transaction, and they read no rows through the policies, so they run without the scope.
        return execute(sql, params, many, context)
    raw = db.connection
    if isinstance(getattr(context["cursor"], "cursor", None), psycopg.ServerCursor):
        # A named cursor cannot join a pipeline. In a transaction a separate statement does; in autocommit (a
        # WITH HOLD cursor, only without PgBouncer, which needs DISABLE_SERVER_SIDE_CURSORS) the session keeps the
        # value until the next statement resets it.
        with db.wrap_database_errors:
            raw.execute(SET_SQL if in_transaction else SET_SESSION_SQL, want)
        if in_transaction:
            db.rls_applied = want
        else:
            db.rls_session_dirty = want != NO_SCOPE
        return execute(sql, params, many, context)
    if not params and ";" in sql.strip().rstrip(";"):
        # A script of several commands (a migration's RunSQL) cannot join a pipeline: a transaction of its own.
        return _execute_script(db, raw, want, in_transaction, execute, sql, params, many, context)
    with db.wrap_database_errors, raw.pipeline():
        raw.execute(SET_SQL, want)
        result = execute(sql, params, many, context)
    if in_transaction:
        db.rls_applied = want
    return result


def _execute_script(db, raw, want, in_transaction, execute, sql, params, many, context) -> Any:
    with db.wrap_database_errors:
        if not in_transaction:
            raw.execute("BEGIN")
        raw.execute(SET_SQL, want)
    if in_transaction:
        db.rls_applied = want
        return execute(sql, params, many, context)
    try:
        result = execute(sql, params, many, context)
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    with db.wrap_database_errors:
        raw.execute("COMMIT")
    return result


class RowLevelSecurityMixin:
    """For the PostgreSQL DatabaseWrapper: carries ``rls_execute`` and forgets the sent settings with the
    transaction that held them."""

    rls_applied: tuple[str, str] | None = None
    rls_session_dirty: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.settings_dict.get("ROW_LEVEL_SECURITY", True):
            self.execute_wrappers.append(rls_execute)

    def connect(self) -> None:
        self.rls_applied, self.rls_session_dirty = None, False
        super().connect()

    # PostgreSQL forgets transaction-local settings with the transaction (or the savepoint) that held them.
    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self.rls_applied = None

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self.rls_applied = None

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)
        finally:
            self.rls_applied = None

    def _set_autocommit(self, autocommit: bool) -> None:
        try:
            super()._set_autocommit(autocommit)
        finally:
            self.rls_applied = None


class NoDatabaseScopeMiddleware:
    """Every request starts with no database scope, whatever the caller's context held (a test's ``all_salons``);
    the base API view and the admin then set the scope the request may use."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with no_db_scope():
            return self.get_response(request)
