"""Index hygiene: no redundant index on a tenant table, every tenant table keeps an index leading with salon, the
high-churn tables carry their autovacuum settings, and the hot selectors' plans use the index meant for them on
``bench_seed --scale 1`` data."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from analytics.models import SalonDailyStats
from bookings.selectors import booking_list_queryset, customer_booking_history
from dbops.connection import admin_dsn
from devtools.analytics_bench import bench
from messaging.models import Conversation, Message
from messaging.selectors import conversation_list, conversation_messages
from salons.models import Customer, Salon
from salons.tenancy import salon_scope
from salons.tenancy.scope import TenantModel

# Django's own many-to-many tables keep the index Django gives them; they are tiny and not ours to change.
DJANGO_TABLES = {"auth_group_permissions", "auth_permission", "salons_user_groups", "salons_user_user_permissions"}

HIGH_CHURN_TABLES = {
    "messaging_message": "autovacuum_vacuum_scale_factor=0.02",
    "messaging_conversation": "autovacuum_vacuum_scale_factor=0.05",
    "webhooks_webhookevent": "autovacuum_vacuum_scale_factor=0.01",
    "salons_salondailystats": "autovacuum_vacuum_scale_factor=0.02",
    "bookings_reminder": "autovacuum_vacuum_scale_factor=0.05",
    "bookings_bookingevent": "autovacuum_vacuum_insert_scale_factor=0.05",
    "ai_conversations_aimessage": "autovacuum_vacuum_insert_scale_factor=0.05",
    "ai_conversations_intentdailystat": "autovacuum_vacuum_scale_factor=0.05",
}


def _tenant_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.proxy and model._meta.managed
    )


@pytest.mark.django_db
def test_no_table_of_ours_has_an_index_that_another_index_makes_redundant():
    out = io.StringIO()
    call_command("db_health", "--json", stdout=out)
    redundant = {row["index"]: row["covered_by"] for row in json.loads(out.getvalue())["redundant_indexes"]}
    ours = {index: by for index, by in redundant.items() if not any(index.startswith(t) for t in DJANGO_TABLES)}
    assert ours == {}


@pytest.mark.django_db
def test_every_tenant_table_keeps_an_index_that_leads_with_salon():
    tables = _tenant_tables()
    assert len(tables) >= 19
    with connection.cursor() as cursor:
        for table in tables:
            constraints = connection.introspection.get_constraints(cursor, table)
            leading = [
                name
                for name, info in constraints.items()
                if (info["index"] or info["unique"]) and info["columns"][:1] == ["salon_id"]
            ]
            assert leading, f"{table} has no index starting with salon_id"


@pytest.mark.django_db
def test_high_churn_tables_carry_their_autovacuum_settings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [list(HIGH_CHURN_TABLES)])
        options = {name: set(opts or []) for name, opts in cursor.fetchall()}
    for table, setting in HIGH_CHURN_TABLES.items():
        assert setting in options[table], table


# -- plans on bench_seed --scale 1 data ------------------------------------------------------------------------------


def _admin_url(dbname: str) -> str:
    """The administrator's URL (DATABASE_ADMIN_URL) for another database on the same server."""
    return urlunsplit(urlsplit(settings.DATABASE_ADMIN_URL)._replace(path=f"/{dbname}"))


@pytest.fixture(scope="module")
def bench_s1(django_db_blocker):
    """A sibling database loaded by ``bench_seed --scale 1`` (migrations, COPY, VACUUM ANALYZE), dropped after.

    The suite's Django connection is the app role, which may neither create databases nor run DDL: the database is
    created, seeded (the child's DATABASE_URL) and read by the administrator, as before the roles."""
    name = f"{connection.settings_dict['NAME']}_plans_s1"[:63]
    with django_db_blocker.unblock(), admin_dsn().connect(dbname="postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **bench.child_env(name),
        "DATABASE_URL": _admin_url(name),
        "DATABASE_OWNER_URL": "",
        "DATABASE_ADMIN_URL": "",
    }
    bench.run_child(["bench_seed", "--scale", "1"], env)
    conn = admin_dsn().connect(dbname=name)
    try:
        yield conn
    finally:
        conn.close()
        with django_db_blocker.unblock(), admin_dsn().connect(dbname="postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _largest_salon(conn) -> Salon:
    salon_id, tz = conn.execute(
        "SELECT s.id, s.timezone FROM salons_salon s JOIN bookings_booking b ON b.salon_id = s.id "
        "GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1"
    ).fetchone()
    return Salon(id=salon_id, timezone=tz)


def _plan_indexes(conn, queryset) -> tuple[set[str], set[str]]:
    """(index names the plan uses, tables it reads with a sequential scan)."""
    sql, params = queryset.query.sql_with_params()
    plan = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchone()[0]
    indexes, seq = set(), set()

    def walk(node):
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        if node.get("Node Type") == "Seq Scan":
            seq.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return indexes, seq


def _hot_selectors(conn, salon: Salon):
    """(name, queryset, intended indexes) for the reads every page and worker runs most.

    Two have two acceptable indexes, both narrowing to exactly the rows wanted: a chat page may walk the conversation's
    foreign-key index (kept for ON DELETE CASCADE) and top-N sort its few hundred rows, and at scale 1 a salon has
    few enough conversations that the planner reads them through either salon-leading index and sorts.
    """
    conversation_fk_index = conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
        " WHERE t.relname = 'messaging_message' AND c.relname LIKE 'messaging_message_conversation_id_%%'"
    ).fetchone()[0]
    customer_id = conn.execute(
        "SELECT customer_id FROM bookings_booking WHERE salon_id = %s GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        [salon.pk],
    ).fetchone()[0]
    conversation_id = conn.execute(
        "SELECT conversation_id FROM messaging_message WHERE salon_id = %s GROUP BY 1 ORDER BY count(*) DESC, 1 "
        "LIMIT 1",
        [salon.pk],
    ).fetchone()[0]
    today = timezone.now().date()
    since = timezone.now() - timedelta(days=1)
    return [
        ("booking list page", booking_list_queryset().order_by("-starts_at", "-pk")[:50], {"booking_salon_starts"}),
        (
            "bookings by status",
            booking_list_queryset().filter(status="confirmed").order_by("-starts_at", "-pk")[:50],
            {"booking_salon_status_starts"},
        ),
        (
            "customer history",
            customer_booking_history(customer=Customer(id=customer_id, salon_id=salon.pk))[:50],
            {"booking_salon_customer_starts"},
        ),
        (
            "chat messages",
            conversation_messages(conversation=Conversation(id=conversation_id, salon_id=salon.pk))[:50],
            {"message_salon_conv_created", conversation_fk_index},
        ),
        ("inbox", conversation_list()[:50], {"conversation_salon_last_msg", "conversation_salon_window"}),
        (
            "messages of the last day",
            Message.objects.filter(created_at__gte=since).order_by("created_at")[:200],
            {"message_salon_created"},
        ),
        (
            "stats range",
            SalonDailyStats.objects.filter(day__gte=today - timedelta(days=29), day__lte=today),
            {"salondailystats_unique_salon_day"},
        ),
    ]


@pytest.mark.django_db
def test_hot_selectors_use_their_intended_index_on_bench_scale_1_data(bench_s1):
    salon = _largest_salon(bench_s1)
    misses = {}
    with salon_scope(salon):
        for (
            name,
            queryset,
            index,
        ) in _hot_selectors(bench_s1, salon):
            used, seq = _plan_indexes(bench_s1, queryset)
            if not used & index or seq & {queryset.model._meta.db_table}:
                misses[name] = {"intended": sorted(index), "used": sorted(used), "seq_scans": sorted(seq)}
    assert misses == {}


@pytest.mark.django_db
def test_the_bench_data_has_no_single_column_salon_index_left(bench_s1):
    rows = bench_s1.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE c.relname LIKE t.relname || '_salon_id_%%'"
    ).fetchall()
    assert rows == []
