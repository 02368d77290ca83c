"""The one tenancy mechanism: a context variable holds the current salon, and everything tenant-owned follows it.

- ``salon_scope(salon)`` enters a salon's scope (context manager); ``current_salon()``/``current_salon_id()`` read it.
- ``TenantModel`` gives a model a non-null ``salon`` and two managers: ``objects`` (scoped: every query is filtered by
  the salon in scope, resolved when the SQL is compiled, and raises ``NoSalonInScope`` outside any scope) and
  ``all_salons`` (the explicit, greppable escape hatch for the few places that cross tenants).
- ``all_salons()`` is the database side of that escape hatch: row-level security (``salons/rls.py``) shows every
  salon's rows inside it, and only the scope's salon's rows (or none, outside any scope) otherwise.
- ``salon_task`` runs a Celery task body inside the scope of its ``salon_id`` argument.
- The API base view lives in ``salons.tenancy.api``; the admin mixin in ``salons.tenancy.admin``.
"""

from salons.rls import all_salons
from salons.tenancy.scope import (
    NoSalonInScope,
    TenantManager,
    TenantModel,
    TenantQuerySet,
    current_salon,
    current_salon_id,
    salon_scope,
    salon_task,
)

__all__ = [
    "NoSalonInScope",
    "TenantManager",
    "TenantModel",
    "TenantQuerySet",
    "all_salons",
    "current_salon",
    "current_salon_id",
    "salon_scope",
    "salon_task",
]
