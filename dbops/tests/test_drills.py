"""Both drills as CI runs them: the restore drill on the test database's latest backup and the PITR drill on a
throwaway cluster; each prints its BENCH line with ok=1."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dbops.backup import list_backups
from dbops.connection import admin_dsn
from dbops.restore import missing_migrations
from salons.tests.factories import CustomerFactory, SalonFactory


@pytest.mark.django_db(transaction=True)
def test_restore_drill_restores_the_latest_backup_checks_it_and_drops_the_scratch_database(backup_dir):
    salon = SalonFactory()
    CustomerFactory.create_batch(5, salon=salon)
    call_command("db_backup", stdout=StringIO())
    (manifest,) = [m for _, m in list_backups(backup_dir)]

    out = StringIO()
    call_command("db_restore_drill", stdout=out)

    match = re.search(r"^BENCH restore_drill rows=(\d+) seconds=([\d.]+) ok=1$", out.getvalue(), re.M)
    assert match, out.getvalue()
    assert int(match.group(1)) == manifest["rows"] > 0
    with admin_dsn().connect(dbname="postgres") as admin:
        leftovers = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [admin_dsn().dbname[:30] + r"\_drill\_%"]
        ).fetchall()
    assert leftovers == []


@pytest.mark.django_db(transaction=True)
def test_restore_drill_without_a_backup_says_so(backup_dir):
    out = StringIO()
    with pytest.raises(CommandError, match=r"no backup of database \S+ in .* run manage\.py db_backup first"):
        call_command("db_restore_drill", stdout=out)
    assert "ok=0" in out.getvalue()


@pytest.mark.django_db
def test_a_migration_missing_from_the_restored_database_is_reported():
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        applied = [tuple(row) for row in cursor.fetchall()]
    assert missing_migrations(applied) == []
    dropped = next(row for row in applied if row[0] == "salons")
    assert missing_migrations([row for row in applied if row != dropped]) == [f"{dropped[0]}.{dropped[1]}"]


def test_pitr_drill_recovers_marker_a_without_marker_b_and_reports_rpo_and_rto():
    out = StringIO()
    call_command("db_pitr_drill", stdout=out, stderr=StringIO())
    assert "markers present ['A']" in out.getvalue()
    assert re.search(r"^BENCH pitr_drill rpo_seconds=[\d.]+ rto_seconds=[\d.]+ ok=1$", out.getvalue(), re.M)
