"""Streaming replication between throwaway clusters: a primary, a ``pg_basebackup -R`` replica, promotion, lag.

Used by the replica-routing tests and ``manage.py db_failover_drill``; the production procedure these rehearse is in
``docs/database-pooling-replicas.md`` ("Replicas", "Failover").
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dbops.cluster import Cluster, free_port, pg_bin, run_as_server_user

PRIMARY_SETTINGS = {
    "wal_level": "replica",
    "max_wal_senders": 5,
    "wal_keep_size": "64MB",
    "hot_standby": "on",
    "fsync": "on",  # a failover drill counts committed rows: they must really be on disk
    "synchronous_commit": "on",
    "wal_log_hints": "on",  # lets pg_rewind rebuild the old primary
}


def streaming_replica(primary: Cluster, *, name: str = "replica") -> Cluster:
    """A hot standby of ``primary`` in the same folder, from ``pg_basebackup -R`` (streaming, ``primary_conninfo``)."""
    replica = Cluster(primary.root, port=free_port(), name=name)
    run_as_server_user(
        [
            pg_bin("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(replica.pgdata),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    replica.start()
    replica.wait_ready()
    return replica


@contextmanager
def throwaway_pair(*, prefix: str = "chairside-pair-") -> Iterator[tuple[Cluster, Cluster]]:
    """A started primary and its streaming replica, stopped and removed on exit."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    primary = Cluster(root, name="primary")
    replica: Cluster | None = None
    try:
        primary.init(settings=PRIMARY_SETTINGS).start()
        replica = streaming_replica(primary)
        yield primary, replica
    finally:
        if replica is not None:
            replica.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def replay_lsn(replica: Cluster) -> str:
    return replica.execute("SELECT pg_last_wal_replay_lsn()::text")[0][0]


def wait_for_replay(primary: Cluster, replica: Cluster, *, timeout: float = 60) -> None:
    """Until the replica has replayed everything the primary had written when this was called."""
    target = primary.execute("SELECT pg_current_wal_lsn()::text")[0][0]
    deadline = time.monotonic() + timeout
    while True:
        done = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0][0]
        if done:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"replica did not replay up to {target} in {timeout} s")
        time.sleep(0.05)


def promote(replica: Cluster, *, timeout: float = 60) -> None:
    """``pg_promote()``: the replica becomes a primary and accepts writes (waits until it does)."""
    replica.execute("SELECT pg_promote(true, %s)", [int(timeout)])
    deadline = time.monotonic() + timeout
    while replica.execute("SELECT pg_is_in_recovery()")[0][0]:
        if time.monotonic() > deadline:
            raise TimeoutError("the replica did not leave recovery")
        time.sleep(0.05)
