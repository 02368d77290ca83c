"""Point-in-time recovery drill on a throwaway cluster: WAL archiving, base backups, recovery to a noted time.

The same steps as docs/database.md's PITR procedure for the embedded PostgreSQL, end to end on the project's own
PostgreSQL 18 binaries: a cluster archiving WAL with ``archive_command`` (and ``archive_timeout``, the RPO bound);
a full ``pg_basebackup`` (checked with ``pg_verifybackup``), some writes, an incremental one (WAL summaries) and
``pg_combinebackup`` of the two; marker A, the noted time, marker B; then recovery of the combined backup to the noted
time on another port. A must be there and B must not.

RPO is measured as the time from B's commit until the WAL holding it reached the archive on its own (no forced switch):
what a lost disk at that moment would have cost, bounded by ``archive_timeout``. RTO is from the start of the restore
(combine, copy, configure) until the recovered server accepts writes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbops.cluster import Cluster, free_port, hand_over, pg_bin, run_as_server_user
from dbops.errors import BackupError


@dataclass
class PitrResult:
    rpo_seconds: float
    rto_seconds: float
    target_time: str
    present: list[str]

    @property
    def ok(self) -> bool:
        return self.present == ["A"]

    def bench_line(self) -> str:
        return (
            f"BENCH pitr_drill rpo_seconds={self.rpo_seconds:.2f} rto_seconds={self.rto_seconds:.2f} "
            f"ok={1 if self.ok else 0}"
        )


def archive_command(archive: Path) -> str:
    # Never overwrite a segment already archived (a second cluster pointed at the same folder must fail loudly).
    return f"test ! -f {archive}/%f && cp %p {archive}/%f"


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise BackupError(f"PITR drill: timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


def _basebackup(cluster: Cluster, target: Path, *extra: str) -> None:
    run_as_server_user(
        [
            pg_bin("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-D",
            str(target),
            "--checkpoint=fast",
            "--wal-method=none",
            "--no-sync",
            *extra,
        ]
    )


def pitr_drill(*, archive_timeout: int = 5, log: Callable[[str], None] = lambda _: None) -> PitrResult:
    root = Path(tempfile.mkdtemp(prefix="chairside-pitr-"))
    archive = root / "wal-archive"
    archive.mkdir()
    source = Cluster(root, name="primary")
    restored = Cluster(root, name="restored", port=free_port())
    try:
        source.init(
            settings={
                "wal_level": "replica",
                "archive_mode": "on",
                "archive_command": archive_command(archive),
                "archive_timeout": archive_timeout,
                "summarize_wal": "on",  # lets pg_basebackup --incremental work (PostgreSQL 17+)
            }
        ).start()
        hand_over(archive)
        source.execute("CREATE TABLE drill_marker (label text PRIMARY KEY, written_at timestamptz DEFAULT now())")
        source.execute("INSERT INTO drill_marker VALUES ('before-full')")
        log("full base backup")
        _basebackup(source, root / "full", "--manifest-checksums=SHA256")
        run_as_server_user([pg_bin("pg_verifybackup"), "--no-parse-wal", str(root / "full")])
        source.execute("CREATE TABLE filler AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 20000) g")
        source.execute("INSERT INTO drill_marker VALUES ('before-incremental')")
        log("incremental base backup")
        _basebackup(source, root / "incr", f"--incremental={root / 'full' / 'backup_manifest'}")

        source.execute("INSERT INTO drill_marker VALUES ('A')")
        target_time = source.execute("SELECT clock_timestamp()::text")[0][0]
        source.execute("INSERT INTO drill_marker VALUES ('B')")
        b_committed = time.monotonic()
        b_lsn = source.execute("SELECT pg_current_wal_lsn()::text")[0][0]
        b_segment = source.execute("SELECT pg_walfile_name(%s::pg_lsn)", [b_lsn])[0][0]
        log(f"markers written; waiting for WAL segment {b_segment} to be archived (archive_timeout={archive_timeout}s)")

        def archived() -> bool:
            last = source.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")[0][0]
            return (archive / b_segment).exists() and last >= b_segment

        _wait(archived, archive_timeout * 4 + 30, f"WAL segment {b_segment} in the archive")
        rpo = time.monotonic() - b_committed
        source.stop("immediate")  # the "disk died" moment: from here only the backups and the archive exist

        log("restoring: combine backups, recovery to the noted time")
        started = time.monotonic()
        run_as_server_user(
            [pg_bin("pg_combinebackup"), str(root / "full"), str(root / "incr"), "-o", str(restored.pgdata)]
        )
        restored.configure(
            {
                "port": restored.port,
                "archive_mode": "off",
                "summarize_wal": "off",
                "restore_command": f"cp {archive}/%f %p",
                "recovery_target_time": target_time,
                "recovery_target_action": "promote",
            }
        )
        # Created as the server's user: hand_over() would open the data folder's mode for traversal.
        run_as_server_user(["touch", str(restored.pgdata / "recovery.signal")])
        restored.start()

        def promoted() -> bool:
            try:
                return restored.execute("SELECT NOT pg_is_in_recovery()")[0][0]
            except Exception:  # still starting up
                return False

        _wait(promoted, 120, "the recovered server to finish recovery and promote")
        rto = time.monotonic() - started
        present = [
            row[0]
            for row in restored.execute("SELECT label FROM drill_marker WHERE label IN ('A', 'B') ORDER BY label")
        ]
        restored.execute("INSERT INTO drill_marker VALUES ('after-recovery')")  # it accepts writes
        return PitrResult(rpo_seconds=rpo, rto_seconds=rto, target_time=target_time, present=present)
    except (BackupError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else ""
        logs = "\n".join(f"--- {c.log.name}\n{c.log_text()[-3000:]}" for c in (source, restored))
        raise BackupError(f"{exc}\n{detail or ''}\n{logs}")
    finally:
        restored.stop("immediate")
        source.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
