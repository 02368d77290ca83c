"""Fixtures for dbops tests: a private BACKUP_DIR, no encryption keys unless a test sets them, clean-up of every
database a test restores into, and a throwaway PostgreSQL with pg_stat_statements and auto_explain preloaded (the
machine's server has neither)."""

from __future__ import annotations

import uuid

import pytest

from dbops.cluster import throwaway_cluster
from dbops.connection import admin_dsn
from dbops.restore import drop_database


@pytest.fixture
def backup_dir(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_AGE_RECIPIENTS = []
    settings.BACKUP_AGE_IDENTITY = ""
    return settings.BACKUP_DIR


@pytest.fixture
def restore_target(transactional_db):
    """A fresh database name on the test server (dropped afterwards, with its staging and replaced copies)."""
    names: list[str] = []

    def _name() -> str:
        name = f"{admin_dsn().dbname[:20]}_rt_{uuid.uuid4().hex[:8]}"
        names.append(name)
        return name

    yield _name
    with admin_dsn().connect(dbname="postgres") as admin:
        for name in names:
            like = admin.execute(
                "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                [name, name[:40].replace("_", r"\_") + r"\_replaced\_%"],
            ).fetchall()
            for (datname,) in like:
                drop_database(admin, datname)
            drop_database(admin, f"{name}__restoring")


STAT_STATEMENTS_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements,auto_explain",
    "pg_stat_statements.track": "all",
    "auto_explain.log_min_duration": "0",
    "log_min_duration_statement": "0",
}


@pytest.fixture(scope="session")
def stat_statements_cluster():
    with throwaway_cluster(settings=STAT_STATEMENTS_SETTINGS, prefix="chairside-pgss-") as cluster:
        cluster.execute("CREATE EXTENSION pg_stat_statements")
        yield cluster
