"""Row-level security on every tenant-owned table (forced, one policy on the salon id; see dbops/rls.py).

A table added later gets its own migration calling ``dbops.rls.enable_sql``; dbops/tests/test_rls.py fails until
it does.
"""

from django.db import migrations

from dbops.rls import disable_sql, enable_sql

TENANT_TABLES = [
    "ai_conversations_aiconversation",
    "ai_conversations_aimessage",
    "ai_conversations_assistantsettings",
    "ai_conversations_intentdailystat",
    "bookings_booking",
    "bookings_bookingevent",
    "bookings_reminder",
    "bookings_service",
    "bookings_staffmember",
    "bookings_staffservice",
    "bookings_timeoff",
    "bookings_workinghours",
    "messaging_conversation",
    "messaging_message",
    "messaging_messagetemplate",
    "salons_apikey",
    "salons_customer",
    "salons_membership",
    "salons_salondailystats",
]


class Migration(migrations.Migration):
    dependencies = [
        ("ai_conversations", "0003_stats_indexes"),
        ("bookings", "0002_stats_indexes"),
        ("messaging", "0002_seed_rate_card"),
        ("salons", "0002_salondailystats"),
        ("webhooks", "0003_body_sha256_bytea"),
    ]

    operations = [migrations.RunSQL(enable_sql(table), disable_sql(table)) for table in TENANT_TABLES]
