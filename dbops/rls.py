"""The row-level-security policies of tenant-owned tables (SQL for migrations, introspection for tests and checks).

A tenant-owned table is one whose model has a non-null foreign key ``salon`` to ``salons.Salon``. Each gets
``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` (so even the table's owner is filtered) and one policy, for reads and
writes: the row's ``salon_id`` is the transaction-local ``chairside.salon_id`` (one id, or a comma-separated few:
a staff user's salons in the admin), or ``chairside.all_salons`` is
``on`` (the escape hatch, ``salons.tenancy.rls.all_salons``). Unset settings show no rows. See
docs/database-roles.md.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

POLICY = "chairside_tenant_isolation"
# The scalar subqueries make each setting an InitPlan: read and parsed once per statement, not once per row (the
# outer ``::uuid[]`` only makes ``ANY`` take the subquery's value as an array rather than as a set of rows).
PREDICATE = (
    "(SELECT current_setting('chairside.all_salons', true) = 'on') "
    "OR salon_id = ANY ((SELECT string_to_array(NULLIF(current_setting('chairside.salon_id', true), ''), ',')::uuid[])"
    "::uuid[])"
)


def tenant_tables() -> list[str]:
    """Every table of a model with a non-null ``salon`` foreign key to ``salons.Salon`` (sorted)."""
    salon = apps.get_model("salons", "Salon")
    tables = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        field = next((f for f in meta.concrete_fields if f.name == "salon"), None)
        if isinstance(field, models.ForeignKey) and field.related_model is salon and not field.null:
            tables.add(meta.db_table)
    return sorted(tables)


def enable_sql(table: str) -> str:
    quoted = f'"{table}"'
    return (
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY; ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY; "
        f"DROP POLICY IF EXISTS {POLICY} ON {quoted}; "
        f"CREATE POLICY {POLICY} ON {quoted} USING ({PREDICATE}) WITH CHECK ({PREDICATE});"
    )


def disable_sql(table: str) -> str:
    quoted = f'"{table}"'
    return (
        f"DROP POLICY IF EXISTS {POLICY} ON {quoted}; ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY; "
        f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY;"
    )


def unprotected_tables(cursor, tables: list[str]) -> list[str]:
    """The given tables that lack RLS enabled and forced, or lack the policy (checked in the catalog)."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
        WHERE c.relname = ANY(%s) AND c.relrowsecurity AND c.relforcerowsecurity
          AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = %s
                      AND p.schemaname = n.nspname)
        """,
        [tables, POLICY],
    )
    protected = {row[0] for row in cursor.fetchall()}
    return sorted(set(tables) - protected)


def set_enforced(cursor, tables: list[str], *, enforced: bool) -> None:
    """Turn RLS on or off for ``tables`` (as their owner): a benchmark's baseline, a test's control run."""
    action = "ENABLE" if enforced else "DISABLE"
    for table in tables:
        cursor.execute(f'ALTER TABLE "{table}" {action} ROW LEVEL SECURITY')
