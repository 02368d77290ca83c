"""The salon scope (a context variable), the scoped manager, and the tenant-owned model base."""

from __future__ import annotations

import contextvars
import functools
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models.expressions import Expression

from salons.rls import all_salons, db_salon

if TYPE_CHECKING:
    from salons.models import Salon

_current_salon: contextvars.ContextVar[Salon | None] = contextvars.ContextVar("chairside_salon", default=None)


class NoSalonInScope(RuntimeError):
    """A tenant-owned model was queried through its scoped manager with no salon in scope."""


@contextmanager
def salon_scope(salon: Salon) -> Iterator[Salon]:
    """Run the block inside ``salon``'s scope; nests and restores the outer scope on exit."""
    if salon is None or getattr(salon, "pk", None) is None:
        raise ValueError("salon_scope needs a saved Salon")
    token = _current_salon.set(salon)
    try:
        with db_salon(salon.pk):  # the row-level-security setting follows the scope (salons/rls.py)
            yield salon
    finally:
        _current_salon.reset(token)


def current_salon() -> Salon:
    salon = _current_salon.get()
    if salon is None:
        raise NoSalonInScope("no salon in scope: wrap the code in salon_scope(salon) or use an explicit escape hatch")
    return salon


def current_salon_id() -> uuid.UUID:
    return current_salon().pk


def current_salon_or_none() -> Salon | None:
    return _current_salon.get()


class CurrentSalonId(Expression):
    """The id of the salon in scope, read when the SQL is compiled (so class-level querysets follow the request)."""

    output_field = models.UUIDField()

    def as_sql(self, compiler, connection):
        return "%s", [current_salon_id()]


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant-owned models: filtered by the salon in scope; raises outside any scope."""

    def get_queryset(self) -> TenantQuerySet:
        if not getattr(settings, "TENANCY_ORM_FILTER", True):
            # Test-only switch (tests/isolation): row-level security alone must still keep other salons out.
            return super().get_queryset()
        return super().get_queryset().filter(salon_id=CurrentSalonId())


def _across_salons(method: Callable) -> Callable:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with all_salons():
            return method(self, *args, **kwargs)

    return wrapper


class AllSalonsQuerySet(TenantQuerySet):
    """Runs every query inside ``all_salons()``: the escape hatch crosses tenants in the database as well."""

    _fetch_all = _across_salons(TenantQuerySet._fetch_all)
    count = _across_salons(TenantQuerySet.count)
    exists = _across_salons(TenantQuerySet.exists)
    contains = _across_salons(TenantQuerySet.contains)
    aggregate = _across_salons(TenantQuerySet.aggregate)
    update = _across_salons(TenantQuerySet.update)
    _update = _across_salons(TenantQuerySet._update)
    delete = _across_salons(TenantQuerySet.delete)
    _raw_delete = _across_salons(TenantQuerySet._raw_delete)
    bulk_create = _across_salons(TenantQuerySet.bulk_create)
    bulk_update = _across_salons(TenantQuerySet.bulk_update)
    get_or_create = _across_salons(TenantQuerySet.get_or_create)
    update_or_create = _across_salons(TenantQuerySet.update_or_create)
    explain = _across_salons(TenantQuerySet.explain)

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        rows = super().iterator(chunk_size)
        with all_salons():  # the query runs at the first row; the scope must not leak into the caller's loop body
            first = next(rows, _END)
        if first is _END:
            return
        yield first
        yield from rows


_END = object()


class AllSalonsManager(models.Manager.from_queryset(AllSalonsQuerySet)):
    """Escape hatch: crosses tenants. Use it only where crossing is the point (webhook routing, admin, ops)."""


class TenantModel(models.Model):
    """Base of every tenant-owned model: a non-null salon, a scoped default manager and a loud escape hatch."""

    # No single-column index: every tenant model has an index or unique constraint that starts with salon, which
    # serves the same lookups, and a salon_id-only index only costs inserts (docs/capacity.md, index hygiene;
    # dbops/tests/test_index_hygiene.py keeps both true).
    salon = models.ForeignKey(
        "salons.Salon", on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )

    objects = TenantManager()
    all_salons = AllSalonsManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        scoped = _current_salon.get()
        if self.salon_id is None:
            if scoped is None:
                raise NoSalonInScope(f"{type(self).__name__} needs a salon: set it or save inside salon_scope()")
            self.salon = scoped
        elif scoped is not None and self.salon_id != scoped.pk:
            raise NoSalonInScope(f"refusing to write a {type(self).__name__} of another salon inside this scope")
        with self._own_database_scope():
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with self._own_database_scope():
            return super().delete(*args, **kwargs)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        with self._own_database_scope():
            return super().refresh_from_db(*args, **kwargs)

    def _own_database_scope(self) -> AbstractContextManager:
        """Outside any salon scope, the object's own salon is the database scope of its write or reload (row-level
        security); inside one, the scope already is that salon (``save`` refuses another's)."""
        return db_salon(self.salon_id) if _current_salon.get() is None else nullcontext()


# Fixed text, prepared once per connection: every task (one per outbound message) starts with this lookup, and the
# ORM's building and compiling of the same filter cost more than PostgreSQL's primary-key read (bench_outbound).
_ACTIVE_SALON_SQL = "SELECT * FROM salons_salon WHERE id = %s AND is_active"


def salon_task(func: Callable) -> Callable:
    """Decorate a Celery task body taking ``salon_id`` so that it runs inside that salon's scope.

    An unknown or deactivated salon makes the task a no-op (it is logged); the task never runs unscoped.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, salon_id: str | uuid.UUID, **kwargs: Any) -> Any:
        from salons.models import Salon  # salons.models imports this module (TenantModel): late, for that cycle

        salon = next(iter(Salon.objects.raw(_ACTIVE_SALON_SQL, [salon_id])), None)
        if salon is None:
            logging.getLogger("chairside.tasks").warning(
                "task skipped: salon not found or inactive", extra={"task": func.__name__, "salon_id": str(salon_id)}
            )
            return None
        with salon_scope(salon):
            return func(*args, salon_id=salon_id, **kwargs)

    return wrapper


def salon_wall_clock(row: Any, value: datetime | None) -> datetime | None:
    """``value`` in the zone of ``row``'s salon (the salon in scope when it is that one: no query), for display.

    Titles and messages name no zone: the page that shows them names it once.
    """
    if value is None:
        return None
    salon = current_salon_or_none()
    if salon is None or salon.pk != row.salon_id:
        salon = row.salon
    return value.astimezone(salon.tz)
