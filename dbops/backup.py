"""Logical backups: pg_dump (custom or directory format) with a manifest, optional age encryption, retention.

A backup is one folder under ``BACKUP_DIR`` named ``<database>-<UTC time>``: the dump (``dump`` file or folder, each
file ``.age``-encrypted when recipients are set) and ``manifest.json`` (sha256 and size of every file, server and
pg_dump versions, the latest applied migration per app, and row count plus checksum per table). The counts and
checksums are taken inside the very snapshot pg_dump dumps (``pg_export_snapshot``; computed on the exporting
connection while pg_dump runs), so a restore must reproduce them exactly, however busy the database was. A folder is
written as ``.<name>.partial`` and renamed when complete, so a crashed backup is never mistaken for the latest one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pyrage
from psycopg import sql

from dbops.connection import Dsn
from dbops.errors import BackupError
from dbops.pgtools import ClientTools, choose_tools, server_major

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
DUMP = "dump"
FORMATS = ("custom", "directory")

# Text output that does not depend on the session (time zone, date style, float digits), so a table's checksum on the
# restored copy is comparable with the one taken at backup time. Row security off: a role that would only see part of
# a table gets an error instead of a silently partial count (pg_dump does the same).
FINGERPRINT_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 3",
    "SET bytea_output = 'hex'",
    "SET row_security = off",
)

TABLES_SQL = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"""


def prepare_session(conn: psycopg.Connection) -> None:
    for statement in FINGERPRINT_SESSION:
        conn.execute(statement)


def table_fingerprints(conn: psycopg.Connection, progress: Callable[[str], None] | None = None) -> dict[str, dict]:
    """Row count and an order-independent checksum (sum of 64-bit prefixes of each row's md5) per table."""
    result = {}
    for schema, name in conn.execute(TABLES_SQL).fetchall():
        if progress:
            progress(f"{schema}.{name}")
        query = sql.SQL(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)::text"
            " FROM {}.{} t"
        ).format(sql.Identifier(schema), sql.Identifier(name))
        rows, checksum = conn.execute(query).fetchone()
        result[f"{schema}.{name}"] = {"rows": rows, "checksum": checksum}
    return result


def applied_migrations(conn: psycopg.Connection) -> list[tuple[str, str]]:
    if conn.execute("SELECT to_regclass('public.django_migrations')").fetchone()[0] is None:
        return []
    return [tuple(row) for row in conn.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()]


def latest_migrations(applied: Iterable[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = name  # ordered by id: the last one applied wins
    return dict(sorted(latest.items()))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dump_files(folder: Path) -> list[Path]:
    """The files of a backup's dump (one for custom format, several for directory format), relative paths sorted."""
    root = folder / DUMP
    if root.is_file():
        return [Path(DUMP)]
    candidates = sorted(folder.glob(f"{DUMP}*"))
    files: list[Path] = []
    for candidate in candidates:
        if candidate.is_file():
            files.append(candidate.relative_to(folder))
        elif candidate.is_dir():
            files += sorted(p.relative_to(folder) for p in candidate.rglob("*") if p.is_file())
    return files


def files_digest(files: dict[str, dict]) -> str:
    """One sha256 for the whole dump: of the file itself (custom format), else of the sorted per-file lines."""
    if len(files) == 1:
        return next(iter(files.values()))["sha256"]
    lines = "".join(f"{files[name]['sha256']}  {name}\n" for name in sorted(files))
    return hashlib.sha256(lines.encode()).hexdigest()


class Progress:
    """A one-line progress display on a terminal (stderr); silent otherwise (cron, Celery, tests)."""

    def __init__(self, label: str, total: int, stream=None, enabled: bool | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()

    def step(self, item: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = int(width * min(self.done, self.total) / self.total)
        elapsed = time.monotonic() - self.started
        bar = "#" * filled + "." * (width - filled)
        line = f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {item}"
        self.stream.write(line[:150].ljust(150))
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def run_with_progress(
    args: list[str],
    env: dict[str, str],
    progress: Progress,
    marker: str,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Run pg_dump/pg_restore --verbose, advancing ``progress`` on each stderr line that contains ``marker``.

    ``meanwhile`` runs in this thread while the tool works (stderr is drained by another thread).
    """
    tail: list[str] = []

    def drain(stream) -> None:
        nonlocal tail
        for line in stream:
            tail = [*tail, line.rstrip()][-20:]
            if marker in line:
                progress.step(line.split(marker, 1)[1].strip().strip('"'))

    with subprocess.Popen(args, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as proc:
        reader = threading.Thread(target=drain, args=(proc.stderr,), daemon=True)
        reader.start()
        try:
            if meanwhile is not None:
                meanwhile()
        except BaseException:
            proc.kill()
            raise
        finally:
            code = proc.wait()
            reader.join()
    progress.finish()
    if code != 0:
        errors = [line for line in tail if "error" in line.lower()] or tail
        raise BackupError(f"{Path(args[0]).name} failed (exit {code}): " + " | ".join(errors[-5:]))


def age_recipients(recipients: Iterable[str]) -> list:
    parsed = []
    for value in recipients:
        try:
            parsed.append(pyrage.x25519.Recipient.from_str(value.strip()))
        except Exception as exc:  # pyrage raises its own RecipientError; any failure is a bad key
            raise BackupError(f"BACKUP_AGE_RECIPIENTS: {value!r} is not an age public key (age1...): {exc}")
    return parsed


def encrypt_folder(folder: Path, recipients: list) -> None:
    for rel in dump_files(folder):
        source = folder / rel
        pyrage.encrypt_file(str(source), str(source) + ".age", recipients)
        source.unlink()


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup_create(
    *,
    dsn: Dsn,
    backup_dir: Path,
    fmt: str = "custom",
    jobs: int = 1,
    recipients: Iterable[str] = (),
    show_progress: bool | None = None,
    tools: ClientTools | None = None,
) -> BackupResult:
    """Dump ``dsn``'s database into a new folder under ``backup_dir`` and write its manifest."""
    if fmt not in FORMATS:
        raise BackupError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    parsed_recipients = age_recipients(recipients)
    backup_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    name = f"{dsn.dbname}-{started.strftime('%Y%m%dT%H%M%S%fZ')}"
    partial = backup_dir / f".{name}.partial"
    final = backup_dir / name
    clock = time.monotonic()
    try:
        conn = dsn.connect()
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot connect to {dsn.describe()}: {exc}".strip())
    try:
        major, version = server_major(conn)
        tools = tools or choose_tools(major, version)
        prepare_session(conn)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        encoding = conn.execute("SHOW server_encoding").fetchone()[0]
        migrations = latest_migrations(applied_migrations(conn))
        table_count = len(conn.execute(TABLES_SQL).fetchall())
        partial.mkdir()
        args = [tools.path("pg_dump"), "--verbose", "--no-password", f"--snapshot={snapshot}"]
        args += ["--format=custom"] if fmt == "custom" else ["--format=directory", f"--jobs={max(jobs, 1)}"]
        args += [f"--file={partial / DUMP}", dsn.dbname]
        progress = Progress(f"pg_dump {dsn.dbname}", table_count, enabled=show_progress)
        tables: dict[str, dict] = {}
        # Counts and checksums in the same snapshot, computed while pg_dump reads it (one connection each).
        run_with_progress(
            args,
            {**os.environ, **dsn.env()},
            progress,
            "dumping contents of table ",
            meanwhile=lambda: tables.update(table_fingerprints(conn)),
        )
        conn.execute("COMMIT")
    except psycopg.Error as exc:  # e.g. a role subject to row security: say so instead of a traceback
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"backup of {dsn.describe()} failed: {exc}")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        conn.close()
    try:
        if parsed_recipients:
            encrypt_folder(partial, parsed_recipients)
        files = {
            str(rel): {"sha256": sha256_file(partial / rel), "bytes": (partial / rel).stat().st_size}
            for rel in dump_files(partial)
        }
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "name": name,
            "database": dsn.dbname,
            "created_at": started.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "seconds": round(time.monotonic() - clock, 3),
            "server_version": version,
            "server_major": major,
            "pg_dump_version": tools.version,
            "encoding": encoding,
            "format": fmt,
            "encryption": {"method": "age", "recipients": list(recipients)} if parsed_recipients else None,
            "files": files,
            "sha256": files_digest(files),
            "bytes": sum(f["bytes"] for f in files.values()),
            "migrations": migrations,
            "rows": sum(t["rows"] for t in tables.values()),
            "tables": tables,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(path=final, manifest=manifest)


# -- listing and retention ----------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} has no {MANIFEST}: not a backup made by db_backup")
    except json.JSONDecodeError as exc:
        raise BackupError(f"{folder / MANIFEST} is not valid JSON: {exc}")


def backup_created_at(manifest: dict) -> datetime:
    return datetime.fromisoformat(manifest["created_at"])


def list_backups(backup_dir: Path, database: str | None = None) -> list[tuple[Path, dict]]:
    """Complete backups (folders with a readable manifest), oldest first; ``database`` filters by database name."""
    if not backup_dir.is_dir():
        return []
    found = []
    for folder in backup_dir.iterdir():
        if not folder.is_dir() or folder.name.startswith(".") or not (folder / MANIFEST).is_file():
            continue
        try:
            manifest = read_manifest(folder)
        except BackupError:
            continue
        if database is None or manifest.get("database") == database:
            found.append((folder, manifest))
    return sorted(found, key=lambda item: backup_created_at(item[1]))


def latest_backup(backup_dir: Path, database: str | None = None) -> tuple[Path, dict]:
    backups = list_backups(backup_dir, database)
    if not backups:
        which = f" of database {database}" if database else ""
        raise BackupError(f"no backup{which} in {backup_dir}: run manage.py db_backup first")
    return backups[-1]


def retention_keep(created: list[datetime], *, daily: int, weekly: int, monthly: int) -> set[datetime]:
    """The backups a daily/weekly/monthly policy keeps (the same rule as restic's ``forget --keep-*``).

    For each rule, walk the backups newest first and keep the newest one of each day (ISO week, month) until that
    many days (weeks, months) that have a backup are covered; a backup may count for several rules. The newest backup
    is always kept.
    """
    ordered = sorted(created, reverse=True)
    keep: set[datetime] = set(ordered[:1])
    buckets: list[tuple[int, Callable[[datetime], tuple]]] = [
        (daily, lambda d: (d.year, d.month, d.day)),
        (weekly, lambda d: tuple(d.isocalendar()[:2])),
        (monthly, lambda d: (d.year, d.month)),
    ]
    for count, key in buckets:
        seen: set[tuple] = set()
        for when in ordered:
            if len(seen) >= count:
                break
            bucket = key(when)
            if bucket not in seen:
                seen.add(bucket)
                keep.add(when)
    return keep


def prune_backups(
    backup_dir: Path, *, database: str | None, daily: int, weekly: int, monthly: int, dry_run: bool = False
) -> tuple[list[Path], list[Path]]:
    """Delete backups the policy does not keep (and partial folders older than a day); returns (kept, deleted)."""
    backups = list_backups(backup_dir, database)
    keep = retention_keep([backup_created_at(m) for _, m in backups], daily=daily, weekly=weekly, monthly=monthly)
    kept, deleted = [], []
    for folder, manifest in backups:
        if backup_created_at(manifest) in keep:
            kept.append(folder)
        else:
            deleted.append(folder)
            if not dry_run:
                shutil.rmtree(folder)
    if backup_dir.is_dir() and not dry_run:
        for leftover in backup_dir.glob(".*.partial"):
            if time.time() - leftover.stat().st_mtime > 86400:
                shutil.rmtree(leftover, ignore_errors=True)
    return kept, deleted
