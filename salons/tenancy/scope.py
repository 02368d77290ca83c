"""The salon scope (a context variable), the scoped manager, and the tenant-owned model base."""

from __future__ import annotations

import contextvars
import functools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.expressions import Expression

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
        return super().get_queryset().filter(salon_id=CurrentSalonId())


class AllSalonsManager(models.Manager.from_queryset(TenantQuerySet)):
    """Escape hatch: crosses tenants. Use it only where crossing is the point (webhook routing, admin, ops)."""

    def for_salons(self, salon_ids) -> TenantQuerySet:
        return self.get_queryset().filter(salon_id__in=list(salon_ids))


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
        super().save(*args, **kwargs)


def salon_task(func: Callable) -> Callable:
    """Decorate a Celery task body taking ``salon_id`` so that it runs inside that salon's scope.

    An unknown or deactivated salon makes the task a no-op (it is logged); the task never runs unscoped.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, salon_id: str | uuid.UUID, **kwargs: Any) -> Any:
        import logging

        from salons.models import Salon

        salon = Salon.objects.filter(pk=salon_id, is_active=True).first()
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
