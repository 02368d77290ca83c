"""db_basebackup's pieces on a throwaway cluster: archiving switched on, a full and an incremental base backup that
pg_combinebackup turns into a server holding everything written before the incremental one."""

from __future__ import annotations

import pytest

from dbops.cluster import Cluster, free_port, hand_over, pg_bin, run_as_server_user, throwaway_cluster
from dbops.connection import Dsn
from dbops.errors import BackupError
from dbops.physical import archiving_enable, basebackup_create


def test_archiving_then_full_and_incremental_base_backups_combine_into_a_working_server(tmp_path):
    with throwaway_cluster() as cluster:
        dsn = Dsn(dbname="postgres", host="127.0.0.1", port=str(cluster.port), user="postgres")
        assert archiving_enable(dsn=dsn, archive_dir=tmp_path / "archive") is True  # archive_mode needs a restart
        cluster.stop()
        cluster.start()
        assert archiving_enable(dsn=dsn, archive_dir=tmp_path / "archive") is False
        assert cluster.execute("SHOW archive_mode") == [("on",)]

        with pytest.raises(BackupError, match="needs PostgreSQL 17\\+ with summarize_wal"):
            basebackup_create(dsn=dsn, base_dir=tmp_path / "base", incremental=True)
        cluster.execute("CREATE TABLE t AS SELECT 1 AS id")
        full = basebackup_create(dsn=dsn, base_dir=tmp_path / "base")
        cluster.execute("INSERT INTO t VALUES (2)")
        incr = basebackup_create(dsn=dsn, base_dir=tmp_path / "base", incremental=True)
        assert (full / "backup_manifest").is_file() and (incr / "backup_manifest").is_file()
        cluster.execute("SELECT pg_switch_wal()")

    restored = Cluster(tmp_path / "restored", port=free_port())
    restored.root.mkdir()
    (restored.root / "sock").mkdir()
    hand_over(tmp_path)
    run_as_server_user([pg_bin("pg_combinebackup"), str(full), str(incr), "-o", str(restored.pgdata)])
    restored.configure({"archive_mode": "off", "unix_socket_directories": str(restored.root / "sock")})
    try:
        restored.start()
        assert restored.execute("SELECT id FROM t ORDER BY id") == [(1,), (2,)]
    finally:
        restored.stop("immediate")
