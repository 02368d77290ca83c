"""The rollup models moved to analytics by state only: a database populated at the previous head keeps every row.

A scratch database on the same server is migrated to the head before the move (salons 0006, ai_conversations 0005,
no analytics) with Django's MigrationExecutor, populated through that head's historical models, migrated forward to
the new head, and read through ``analytics.models``; then migrated back and read through the old models again. Every
step runs in a child ``manage.py shell`` whose ``DATABASE_URL`` names the scratch database (the suite's own
connection is the app role, which may neither create databases nor run DDL).
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from dbops.connection import admin_dsn
from tests.children import manage_shell

# Every app that changed since: a later migration of one app may depend on the move (dbops' RLS of PendingReply).
PREVIOUS_HEAD = {
    "salons": "0006_invitation_salon_index_hygiene",
    "ai_conversations": "0005_autovacuum_high_churn_tables",
    "dbops": "0002_row_level_security_invitation",
    "messaging": "0004_autovacuum_high_churn_tables",
    "bookings": "0004_autovacuum_high_churn_tables",
    "webhooks": "0004_autovacuum_high_churn_tables",
}
RESULT = "MOVE-JSON "

# Runs in the child: migrate every app to its leaf except the overrides (None: not applied at all).
MIGRATE = """
import json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from salons.tenancy import all_salons
executor = MigrationExecutor(connection)
targets = dict(executor.loader.graph.leaf_nodes())
targets.update(json.loads({overrides!r}))
targets = [(app, name) for app, name in targets.items() if name is not None or app in executor.loader.migrated_apps]
with all_salons():
    executor.migrate(targets)
applied = MigrationExecutor(connection).loader.applied_migrations
print({result!r} + json.dumps(sorted(f"{{a}}.{{n}}" for a, n in applied)))
"""

# Runs in the child at the previous head: rows through that head's historical models (salons and ai_conversations).
POPULATE = """
import datetime, decimal, json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
executor = MigrationExecutor(connection)
apps = executor.loader.project_state(list(executor.loader.applied_migrations)).apps
Salon = apps.get_model("salons", "Salon")
Stats = apps.get_model("salons", "SalonDailyStats")
Intents = apps.get_model("ai_conversations", "IntentDailyStat")
ContentType = apps.get_model("contenttypes", "ContentType")
types = {{m: ContentType.objects.get_or_create(app_label=a, model=m)[0].pk
          for a, m in (("salons", "salondailystats"), ("ai_conversations", "intentdailystat"))}}
for n in range(2):
    salon = Salon.objects.create(name=f"Moved {{n}}", slug=f"moved-{{n}}", timezone="Europe/Berlin", currency="EUR",
                                 phone_number_id=f"55500{{n}}", waba_id=f"66600{{n}}")
    for d in range(3):
        day = datetime.date(2026, 11, 1) + datetime.timedelta(days=d)
        Stats.objects.create(salon=salon, day=day, bookings_created=n * 10 + d, revenue=decimal.Decimal("12.50") * d,
                             revenue_currency="EUR", ai_tokens=10**10 + d, first_response_median_seconds=1.5 * d,
                             is_final=d < 2)
        Intents.objects.create(salon=salon, day=day, intent="book", count=n + d)
print({result!r} + json.dumps(types))
"""

READ = """
import json
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from salons.tenancy import all_salons
if {historical!r}:  # the models of the migration state the database is at
    executor = MigrationExecutor(connection)
    apps = executor.loader.project_state(list(executor.loader.applied_migrations)).apps
rows_of = lambda label: getattr(apps.get_model(label), "all_salons", None) or apps.get_model(label).objects
with all_salons():
    stats = rows_of({stats!r}).values("salon__slug", "day", "bookings_created", "revenue", "revenue_currency",
                                      "ai_tokens", "first_response_median_seconds", "is_final")
    intents = rows_of({intents!r}).values("salon__slug", "day", "intent", "count")
    rows = {{"stats": sorted(map(str, stats)), "intents": sorted(map(str, intents))}}
rows["types"] = {{m: list(ContentType.objects.filter(model=m).values_list("pk", "app_label"))
                  for m in ("salondailystats", "intentdailystat")}}
print({result!r} + json.dumps(rows))
"""


def _admin_url(dbname: str) -> str:
    return urlunsplit(urlsplit(settings.DATABASE_ADMIN_URL)._replace(path=f"/{dbname}"))


@pytest.fixture
def scratch_database(django_db_setup, django_db_blocker):
    name = f"{connection.settings_dict['NAME']}_move"[:63]
    with django_db_blocker.unblock(), admin_dsn().connect(dbname="postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _admin_url(name)
    finally:
        with django_db_blocker.unblock(), admin_dsn().connect(dbname="postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _child(database_url: str, code: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DATABASE_OWNER_URL": "",
        "DATABASE_ADMIN_URL": "",
        "DATABASE_REPLICA_URLS": "",
        "CHAIRSIDE_NO_EMBEDDED": "1",
    }
    env.pop("TEST_DATABASE_NAME", None)
    done = manage_shell(code, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith(RESULT))
    return json.loads(line[len(RESULT) :])


def _migrate(url: str, overrides: dict) -> set[str]:
    return set(_child(url, MIGRATE.format(overrides=json.dumps(overrides), result=RESULT)))


def _read(url: str, stats: str, intents: str, *, historical: bool) -> dict:
    return _child(url, READ.format(stats=stats, intents=intents, historical=historical, result=RESULT))


def test_rows_written_at_the_previous_head_are_read_through_analytics_after_the_move_and_back(scratch_database):
    url = scratch_database
    applied = _migrate(url, {**PREVIOUS_HEAD, "analytics": None})
    assert "salons.0006_invitation_salon_index_hygiene" in applied
    assert "salons.0007_salondailystats_to_analytics" not in applied
    assert not any(name.startswith("analytics.") for name in applied)
    types = _child(url, POPULATE.format(result=RESULT))
    before = _read(url, "salons.SalonDailyStats", "ai_conversations.IntentDailyStat", historical=True)
    assert len(before["stats"]) == 6 and len(before["intents"]) == 6

    applied = _migrate(url, {})
    assert {"salons.0007_salondailystats_to_analytics", "analytics.0001_initial"} <= applied
    after = _read(url, "analytics.SalonDailyStats", "analytics.IntentDailyStat", historical=False)
    assert after["stats"] == before["stats"]
    assert after["intents"] == before["intents"]
    # The same content type rows, relabelled (admin log entries keep pointing at the model).
    assert after["types"] == {
        "salondailystats": [[types["salondailystats"], "analytics"]],
        "intentdailystat": [[types["intentdailystat"], "analytics"]],
    }

    applied = _migrate(url, {**PREVIOUS_HEAD, "analytics": None})  # and back: the migrations are reversible
    assert not any(name.startswith("analytics.") for name in applied)
    back = _read(url, "salons.SalonDailyStats", "ai_conversations.IntentDailyStat", historical=True)
    assert back == before
