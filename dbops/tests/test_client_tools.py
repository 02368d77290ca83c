"""The client tools are picked per server, and tools older than the server give a clear error, not a broken dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbops.backup import backup_create
from dbops.cluster import bin_dir, throwaway_cluster
from dbops.connection import Dsn
from dbops.errors import BackupError
from dbops.pgtools import ClientToolsTooOld, choose_tools

DEBIAN_15 = Path("/usr/lib/postgresql/15/bin")


def test_the_server_major_version_is_preferred_then_the_closest_newer_one():
    if not (DEBIAN_15 / "pg_dump").exists():
        pytest.skip("no PostgreSQL 15 client tools in /usr/lib/postgresql/15/bin")
    both = [bin_dir(), DEBIAN_15]
    assert choose_tools(15, "15.20", dirs=both).bin_dir == DEBIAN_15
    assert choose_tools(18, "18.1", dirs=both).bin_dir == bin_dir()
    assert choose_tools(14, "14.9", dirs=[bin_dir()]).major == 18
    with pytest.raises(ClientToolsTooOld, match=r"older than the server \(PostgreSQL 19\.0\).*postgresql-client-19"):
        choose_tools(19, "19.0", dirs=both)


def test_backup_of_a_newer_server_with_older_tools_fails_clearly_and_leaves_nothing(tmp_path, settings):
    if not (DEBIAN_15 / "pg_dump").exists():
        pytest.skip("no PostgreSQL 15 client tools in /usr/lib/postgresql/15/bin")
    settings.PG_BIN_DIR = str(DEBIAN_15)
    with throwaway_cluster() as cluster:
        dsn = Dsn(dbname="postgres", host="127.0.0.1", port=str(cluster.port), user="postgres")
        with pytest.raises(BackupError, match=r"client tools are older than the server \(PostgreSQL 18"):
            backup_create(dsn=dsn, backup_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
