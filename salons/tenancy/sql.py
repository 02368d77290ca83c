"""Fixed SQL for the hottest paths, under the same salon scope as the ORM.

The ORM builds and compiles every query anew. For a join or for the insert of a wide row that costs several times
the CPU PostgreSQL needs to run the prepared statement (bench/RESULTS.md, "Measurements quoted from the code"). The
webhook relay runs three such statements per inbound message, hundreds of times a second. ``TenantSQL`` keeps those
few statements as fixed text, which psycopg prepares once per connection, and stays inside the one tenancy mechanism:

- The statement must use the ``%(salon)s`` parameter. It is always bound to ``current_salon_id()`` and raises
  ``NoSalonInScope`` outside any scope. Callers cannot pass it.
- ``columns()`` and ``instance()`` build the select list and the model instances from the model's own concrete
  fields and database converters. A field added later is therefore never left out.
- ``insert_ignoring_conflict()`` writes a tenant-owned instance the way ``TenantModel.save`` would. It uses Django's
  own defaults and ``pre_save`` (auto_now_add, for example) and takes the salon from the scope. It sends
  ``pre_save``/``post_save``, so receivers such as the stats cache bump still run.

Everything else uses the ORM. ``salons/tests/test_tenant_sql.py`` checks that these statements cannot see or write
another salon's rows.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_save, pre_save

from salons.tenancy.scope import NoSalonInScope, current_salon

M = TypeVar("M", bound=models.Model)

SALON_PARAMETER = "%(salon)s"


class TenantSQL:
    """One fixed statement, filtered by the salon in scope (bound to ``%(salon)s``)."""

    def __init__(self, sql: str) -> None:
        if SALON_PARAMETER not in sql:
            raise ImproperlyConfigured(f"tenant SQL must filter on {SALON_PARAMETER}: {sql[:80]!r}")
        self.sql = sql  # one fixed text per statement: psycopg prepares it once per connection

    def _run(self, cursor: Any, params: dict[str, Any]) -> None:
        if "salon" in params:
            raise TypeError("the salon is the one in scope; it cannot be passed")
        cursor.execute(self.sql, {**params, "salon": current_salon().pk})

    def rows(self, **params: Any) -> list[tuple]:
        with connection.cursor() as cursor:
            self._run(cursor, params)
            return cursor.fetchall()

    def first_as_dict(self, **params: Any) -> dict[str, Any] | None:
        """The first row as {column name: value}, or None."""
        with connection.cursor() as cursor:
            self._run(cursor, params)
            row = cursor.fetchone()
            return None if row is None else dict(zip([c.name for c in cursor.description], row, strict=True))

    def execute(self, **params: Any) -> int:
        """Run a write; returns the number of rows it touched."""
        with connection.cursor() as cursor:
            self._run(cursor, params)
            return cursor.rowcount


def columns(model: type[models.Model], alias: str) -> str:
    """The select list of every concrete field of ``model`` (in field order), qualified by ``alias``."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def instance(model: type[M], values: tuple | list) -> M:
    """A model instance from the values of ``columns(model, …)``, converted as the ORM would convert them."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, None, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


_INSERT_SQL: dict[tuple, str] = {}


def insert_ignoring_conflict(obj: models.Model, *, conflict: str) -> bool:
    """INSERT a tenant-owned ``obj`` unless it conflicts with ``conflict`` (an ON CONFLICT target such as
    ``(salon_id, wamid) WHERE wamid IS NOT NULL``); True, with ``obj.pk`` set, if the row was inserted.

    One statement instead of a savepoint, an INSERT and a release: a duplicate is absorbed without an error that
    would need rolling back."""
    model = type(obj)
    scoped = current_salon()
    if obj.salon_id is None:
        obj.salon = scoped
    elif obj.salon_id != scoped.pk:
        raise NoSalonInScope(f"refusing to write a {model.__name__} of another salon inside this scope")
    meta = model._meta
    pre_save.send(sender=model, instance=obj, raw=False, using=connection.alias, update_fields=None)
    fields, values = [], []
    for field in meta.concrete_fields:
        if field is meta.auto_field:
            continue
        value = field.pre_save(obj, add=True)
        if isinstance(value, DatabaseDefault):
            continue
        fields.append(field)
        values.append(field.get_db_prep_save(value, connection))
    key = (model, conflict, tuple(field.column for field in fields))
    sql = _INSERT_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        names = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        # Quoted identifiers from the model; every value is a parameter.
        sql = _INSERT_SQL[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT {conflict} DO NOTHING RETURNING {quote(meta.pk.column)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    setattr(obj, meta.pk.attname, row[0])
    obj._state.adding, obj._state.db = False, connection.alias
    post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=connection.alias)
    return True
