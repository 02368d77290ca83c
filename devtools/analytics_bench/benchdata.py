"""Realistic bench data, written with COPY: salons with skewed sizes, bookings that never overlap per staff member,
WhatsApp conversations in sessions, assistant turns, and the daily rollups that ``stats_backfill`` would compute.

Scale N: 10,000·N bookings, 50,000·N messages, 1,000·N conversations, 3,000·N customers over round(100·√N) salons
(so per-salon volume grows √N), 180 days of history and 30 days ahead. One salon in twenty is ten times the others.
"""

from __future__ import annotations

from django.db import connection

from ai_conversations.models import AIConversation, AIMessage
from analytics.models import IntentDailyStat, SalonDailyStats
from bookings.models import Booking, Service, StaffMember
from devtools.analytics_bench.generator import Generator
from messaging.models import Conversation, Message
from salons.models import Customer, Salon


# --- load: plain indexes and the exclusion constraint are rebuilt after COPY (same definitions, same names) ------
def load(scale: int, log) -> dict:
    tables = [
        m._meta.db_table
        for m in (Salon, Customer, Service, StaffMember, Booking, Conversation, Message, AIConversation, AIMessage)
    ]
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3, autocommit: every COPY commits on its own
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # FK triggers off: the generator keeps references
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'x' AND t.relname = ANY(%s)",
            [tables],
        )
        exclusions = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in exclusions:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        log(f"dropped {len(indexes)} plain indexes and {len(exclusions)} exclusion constraint(s) for the load")

        counts = Generator(scale).run(cursor, log)
        log("rows: " + ", ".join(f"{k}={v}" for k, v in counts.items() if k not in ("largest", "salons")))

        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in exclusions:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        log("indexes and constraints rebuilt (same names and definitions as the migrations)")
        for model in (Customer, Service, StaffMember, Booking, Conversation, Message, AIConversation, AIMessage,
                      SalonDailyStats, IntentDailyStat):  # fmt: skip
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(max(id), 1)) FROM {table}")  # noqa: S608
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE")
    return counts
