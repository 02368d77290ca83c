"""Physical backups of a self-managed server (the embedded default): WAL archiving into a folder and base backups.

Production uses pgBackRest (deploy/pgbackrest/); this is the same idea with PostgreSQL's own tools for a server whose
files are on this machine: ``archiving_enable`` points ``archive_command`` at a folder (a restart turns it on),
``basebackup_create`` takes a full ``pg_basebackup`` (checked with ``pg_verifybackup``) or an incremental one on top of
the newest (PostgreSQL 17+, WAL summaries), each self-contained (WAL streamed). ``db_pitr_drill`` restores exactly
this kind of chain with ``pg_combinebackup`` to a point in time.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from dbops.cluster import hand_over
from dbops.connection import Dsn
from dbops.errors import BackupError
from dbops.pgtools import choose_tools, server_major
from dbops.pitr import archive_command


def archiving_enable(*, dsn: Dsn, archive_dir: Path, archive_timeout: int = 60) -> bool:
    """ALTER SYSTEM the archive settings (superuser); True when a restart is still needed to apply them."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    hand_over(archive_dir)  # the server's system user writes there (when we run as root)
    with dsn.connect(dbname="postgres") as conn:
        major, _ = server_major(conn)
        settings = {
            "wal_level": "replica",
            "archive_mode": "on",
            "archive_command": archive_command(archive_dir.resolve()),
            "archive_timeout": str(archive_timeout),
        }
        if major >= 17:
            settings["summarize_wal"] = "on"
        try:
            for name, value in settings.items():
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
            conn.execute("SELECT pg_reload_conf()")
        except psycopg.Error as exc:
            raise BackupError(f"cannot change the archive settings of {dsn.describe()}: {exc}")
        wal_level = conn.execute("SHOW wal_level").fetchone()[0]
        mode = conn.execute("SHOW archive_mode").fetchone()[0]
    return wal_level not in ("replica", "logical") or mode != "on"


def _manifested(base_dir: Path) -> list[Path]:
    if not base_dir.is_dir():
        return []
    return sorted(p for p in base_dir.iterdir() if p.is_dir() and (p / "backup_manifest").is_file())


def basebackup_create(*, dsn: Dsn, base_dir: Path, incremental: bool = False) -> Path:
    """A full (or incremental, on top of the newest) base backup of ``dsn``'s server under ``base_dir``."""
    with dsn.connect(dbname="postgres") as conn:
        major, version = server_major(conn)
        summarizing = major >= 17 and conn.execute("SHOW summarize_wal").fetchone()[0] == "on"
    tools = choose_tools(major, version)
    previous = _manifested(base_dir)
    if incremental and not (summarizing and previous):
        raise BackupError(
            "an incremental base backup needs PostgreSQL 17+ with summarize_wal = on (db_basebackup "
            "--enable-archiving sets it) and a previous base backup in "
            f"{base_dir}"
        )
    kind = "incr" if incremental else "full"
    target = base_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{kind}"
    base_dir.mkdir(parents=True, exist_ok=True)
    args = [
        tools.path("pg_basebackup"),
        "-D",
        str(target),
        "--checkpoint=fast",
        "--wal-method=stream",
        "--manifest-checksums=SHA256",
        "--no-password",
    ]
    if incremental:
        args.append(f"--incremental={previous[-1] / 'backup_manifest'}")
    env = {**os.environ, **dsn.using("postgres").env()}
    try:
        subprocess.run(args, check=True, capture_output=True, text=True, env=env)
        if not incremental:
            subprocess.run([tools.path("pg_verifybackup"), str(target)], check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{Path(exc.cmd[0]).name} failed: {exc.stderr.strip()}")
    return target
