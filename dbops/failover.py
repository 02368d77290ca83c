"""The failover drill: a primary with a synchronous streaming replica, a writer committing rows through PgBouncer, the
primary killed, the replica promoted (``pg_promote()``), the pooler re-pointed, the old primary rebuilt with
``pg_rewind`` as the new replica; then every row the writer saw committed is looked for on the new primary.

This is the procedure of docs/database-pooling-replicas.md ("Failover") on throwaway clusters.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field

import psycopg

from dbops.cluster import Cluster, pg_bin, run_as_server_user
from dbops.pgbouncer import PgBouncer
from dbops.replication import promote, throwaway_pair, wait_for_replay

DBNAME = "drill"


@dataclass
class Writer:
    """Commits one row per transaction as fast as it can; remembers which commits were acknowledged, and when."""

    dsn: str
    acknowledged: list[int] = field(default_factory=list)
    errors: int = 0
    gap: float = 0.0  # the longest time without an acknowledged commit
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Writer:
        self._thread = threading.Thread(target=self._run, name="drill-writer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        conn: psycopg.Connection | None = None
        last_ack = time.monotonic()
        number = 0
        while not self._stop.is_set():
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=2, prepare_threshold=None)
                number += 1
                conn.execute("INSERT INTO drill_rows (number) VALUES (%s)", [number])
                now = time.monotonic()
                self.gap = max(self.gap, now - last_ack)
                last_ack = now
                self.acknowledged.append(number)  # COMMIT returned: the row must survive
            except psycopg.Error:
                self.errors += 1
                if conn is not None:
                    conn.close()
                conn = None
                self._stop.wait(0.05)
        if conn is not None:
            conn.close()


@dataclass
class DrillResult:
    committed: int
    lost_committed: int
    write_gap_seconds: float
    writer_errors: int
    rewound: bool
    committed_after_promotion: int

    @property
    def ok(self) -> bool:
        # Something was at stake (commits before the crash), nothing of it was lost, writes resumed on the new
        # primary, and the old one came back as its streaming replica.
        committed_before = self.committed - self.committed_after_promotion
        return committed_before > 0 and self.lost_committed == 0 and self.committed_after_promotion > 0 and self.rewound

    def bench_line(self) -> str:
        return (
            f"BENCH failover_drill write_gap_seconds={self.write_gap_seconds:.2f} lost_committed={self.lost_committed} "
            f"committed={self.committed} after_promotion={self.committed_after_promotion} "
            f"writer_errors={self.writer_errors} rewound={int(self.rewound)} "
            f"ok={int(self.ok)}"
        )


def rebuild_as_replica(old_primary: Cluster, new_primary: Cluster) -> None:
    """``pg_rewind`` the old primary onto the new one's timeline and start it as its streaming replica."""
    old_primary.stop("immediate")
    source = f"host=127.0.0.1 port={new_primary.port} user=postgres dbname=postgres"
    run_as_server_user(
        [pg_bin("pg_rewind"), "--target-pgdata", str(old_primary.pgdata), "--source-server", source, "-R"]
    )
    old_primary.configure({"synchronous_standby_names": ""})
    old_primary.start()
    old_primary.wait_ready()


def streams_from(primary: Cluster, *, standby: Cluster, timeout: float = 30.0) -> bool:
    """Whether ``standby`` is in recovery and ``primary`` shows it streaming (not merely a standby that never
    connected)."""
    if not standby.execute("SELECT pg_is_in_recovery()")[0][0]:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if primary.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0][0]:
            return True
        time.sleep(0.2)
    return False


def run_drill(*, seconds_before: float = 2.0, seconds_after: float = 2.0, pgbouncer: str | None = None, log=print):
    with throwaway_pair(prefix="chairside-failover-") as (primary, replica):
        # Synchronous replication: a COMMIT returns only once the replica has the WAL, so promotion loses nothing.
        primary.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
        primary.execute("SELECT pg_reload_conf()")
        primary.execute(f"CREATE DATABASE {DBNAME}")
        primary.execute(
            "CREATE TABLE drill_rows (number bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())",
            dbname=DBNAME,
        )
        wait_for_replay(primary, replica)
        bouncer = None
        if pgbouncer:
            bouncer = PgBouncer(pgbouncer, upstream_host="127.0.0.1", upstream_port=primary.port, pool_size=4).start()
            dsn = f"host=127.0.0.1 port={bouncer.port} user=postgres dbname={DBNAME}"
        else:
            dsn = f"host=127.0.0.1 port={primary.port} user=postgres dbname={DBNAME}"
        try:
            writer = Writer(dsn).start()
            time.sleep(seconds_before)
            log(f"killing the primary (port {primary.port}) after {len(writer.acknowledged)} commits")
            primary.stop("immediate")  # a crash: no shutdown checkpoint, nothing flushed on the way out
            promote(replica)
            log(f"promoted the replica (port {replica.port})")
            if bouncer is not None:
                bouncer.repoint("127.0.0.1", replica.port)
                log("re-pointed pgbouncer at the new primary")
            else:
                writer.dsn = f"host=127.0.0.1 port={replica.port} user=postgres dbname={DBNAME}"
            promoted_at = len(writer.acknowledged)
            time.sleep(seconds_after)
            writer.stop()
            rebuild_as_replica(primary, replica)
            rewound = streams_from(replica, standby=primary)
            log(f"old primary rewound and streaming from the new one: {rewound}")
            present = {row[0] for row in replica.execute("SELECT number FROM drill_rows", dbname=DBNAME)}
            lost = [number for number in writer.acknowledged if number not in present]
            return DrillResult(
                committed=len(writer.acknowledged),
                lost_committed=len(lost),
                write_gap_seconds=writer.gap,
                writer_errors=writer.errors,
                rewound=rewound,
                committed_after_promotion=len(writer.acknowledged) - promoted_at,
            )
        finally:
            if bouncer is not None:
                bouncer.destroy()


def find_pgbouncer() -> str | None:
    return shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin:/usr/bin:/usr/local/bin")
