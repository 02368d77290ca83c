"""Restores of db_backup's backups, and the restore drill that proves the latest one.

Order of a restore: check every file against the manifest's sha256 (nothing is created before that passes), decrypt
if needed, ``pg_restore`` into a staging database ``<target>__restoring``, compare every table's row count and
checksum with the manifest, and only then move it into place under the target's name. An existing target is replaced
only with ``force``, and it is renamed aside (``<target>_replaced_<time>``), never dropped.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pyrage
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from dbops.backup import (
    DUMP,
    MANIFEST,
    Progress,
    applied_migrations,
    dump_files,
    files_digest,
    latest_backup,
    prepare_session,
    read_manifest,
    run_with_progress,
    sha256_file,
    table_fingerprints,
)
from dbops.connection import Dsn
from dbops.errors import BackupError, ManifestMismatch
from dbops.pgtools import choose_tools, server_major

MAX_IDENTIFIER = 63


def verify_files(folder: Path) -> dict:
    """The manifest, after checking that the dump's files are exactly those it lists, byte for byte (sha256)."""
    manifest = read_manifest(folder)
    listed = manifest.get("files") or {}
    present = {str(p) for p in dump_files(folder)}
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing or extra:
        raise ManifestMismatch(f"{folder}: files differ from the manifest (missing {missing}, unexpected {extra})")
    for name, expected in sorted(listed.items()):
        actual = sha256_file(folder / name)
        if actual != expected["sha256"]:
            raise ManifestMismatch(
                f"{folder / name}: sha256 {actual} does not match the manifest ({expected['sha256']}); "
                "the dump is corrupted or was changed, refusing to restore it"
            )
    if files_digest(listed) != manifest.get("sha256"):
        raise ManifestMismatch(f"{folder / MANIFEST}: its overall sha256 does not match its file list")
    return manifest


def decrypt_to(folder: Path, manifest: dict, identity: str, workdir: Path) -> Path:
    """Decrypt an age-encrypted dump into ``workdir``; returns the path pg_restore reads."""
    if not identity:
        raise BackupError(
            f"{folder} is encrypted with age: set BACKUP_AGE_IDENTITY (the AGE-SECRET-KEY-... matching "
            f"{', '.join(manifest['encryption']['recipients'])}) to restore it"
        )
    try:
        key = pyrage.x25519.Identity.from_str(identity.strip())
    except Exception as exc:  # pyrage's IdentityError
        raise BackupError(f"BACKUP_AGE_IDENTITY is not an age secret key: {exc}")
    for name in manifest["files"]:
        target = workdir / name.removesuffix(".age")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            pyrage.decrypt_file(str(folder / name), str(target), [key])
        except Exception as exc:  # pyrage's DecryptError: wrong key or damaged file
            raise BackupError(f"cannot decrypt {folder / name} with the given BACKUP_AGE_IDENTITY: {exc}")
    return workdir / DUMP


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def compare_contents(manifest: dict, actual_tables: dict, applied: list[tuple[str, str]]) -> list[str]:
    """Differences between a restored database and its manifest (empty when identical)."""
    problems = []
    expected = manifest["tables"]
    for name in sorted(set(expected) | set(actual_tables)):
        want, got = expected.get(name), actual_tables.get(name)
        if want is None or got is None:
            problems.append(f"table {name}: {'missing after restore' if got is None else 'not in the manifest'}")
        elif want != got:
            problems.append(f"table {name}: manifest {want}, restored {got}")
    latest: dict[str, str] = {}
    for app, migration in applied:
        latest[app] = migration
    if latest != manifest.get("migrations", {}):
        problems.append(f"migrations: manifest {manifest.get('migrations')}, restored {latest}")
    return problems


@dataclass
class RestoreResult:
    target: str
    rows: int
    seconds: float
    replaced: str | None = None
    applied: list[tuple[str, str]] = field(default_factory=list)
    verify_seconds: float = 0.0  # of ``seconds``: comparing counts and checksums after pg_restore


def backup_restore(
    *,
    folder: Path,
    dsn: Dsn,
    target: str,
    live_database: str,
    force: bool = False,
    identity: str = "",
    jobs: int = 1,
    no_owner: bool = False,
    show_progress: bool | None = None,
) -> RestoreResult:
    """Restore the backup in ``folder`` into database ``target`` on ``dsn``'s server (see the module docstring)."""
    clock = time.monotonic()
    manifest = verify_files(folder)  # before anything else: a corrupted dump never reaches pg_restore
    if len(target) > MAX_IDENTIFIER - len("__restoring"):
        raise BackupError(f"target database name {target!r} is too long")
    if target == live_database and not force:
        raise BackupError(
            f"refusing to restore over the live database {target!r}: restore into another name, or pass --force "
            "(the current one is kept, renamed aside)"
        )
    admin = dsn.connect(dbname="postgres")
    try:
        if database_exists(admin, target) and not force:
            raise BackupError(f"database {target!r} already exists; pick another name or pass --force to replace it")
        major, version = server_major(admin)
        tools = choose_tools(max(major, int(str(manifest["pg_dump_version"]).split(".")[0])), version)
        staging = f"{target}__restoring"
        drop_database(admin, staging)
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {}").format(
                sql.Identifier(staging), sql.Literal(manifest.get("encoding") or "UTF8")
            )
        )
        try:
            with tempfile.TemporaryDirectory(prefix=".restore-", dir=folder.parent) as workdir:
                source = folder / DUMP
                if manifest.get("encryption"):
                    source = decrypt_to(folder, manifest, identity, Path(workdir))
                args = [tools.path("pg_restore"), "--verbose", "--no-password", "--exit-on-error"]
                if jobs > 1:
                    args.append(f"--jobs={jobs}")
                if no_owner:
                    args += ["--no-owner", "--no-acl"]
                args += [f"--dbname={staging}", str(source)]
                progress = Progress(f"pg_restore {target}", len(manifest["tables"]), enabled=show_progress)
                env = {**os.environ, **dsn.using(staging).env()}
                run_with_progress(args, env, progress, "processing data for table ")
            restored_at = time.monotonic()
            with dsn.connect(dbname=staging) as conn:
                prepare_session(conn)
                problems = compare_contents(manifest, table_fingerprints(conn), applied := applied_migrations(conn))
            if problems:
                raise ManifestMismatch("restored database differs from the manifest: " + "; ".join(problems[:10]))
            replaced = None
            if database_exists(admin, target):
                replaced = f"{target[:40]}_replaced_{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}"
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [target],
                )
                admin.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(target), sql.Identifier(replaced))
                )
            admin.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(staging), sql.Identifier(target))
            )
        except BaseException:
            drop_database(admin, staging)
            raise
    finally:
        admin.close()
    return RestoreResult(
        target=target,
        rows=manifest["rows"],
        seconds=round(time.monotonic() - clock, 3),
        replaced=replaced,
        applied=applied,
        verify_seconds=round(time.monotonic() - restored_at, 3),
    )


def missing_migrations(applied: list[tuple[str, str]]) -> list[str]:
    """Migrations in the code that the restored database has not applied (empty: the app can run on it as is)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    done = set(applied)
    missing = []
    for key in sorted(loader.graph.nodes):
        if key in done:
            continue
        replaces = getattr(loader.graph.nodes[key], "replaces", None) or []
        if replaces and all(tuple(r) in done for r in replaces):
            continue
        missing.append(f"{key[0]}.{key[1]}")
    return missing


@dataclass
class DrillResult:
    backup: Path
    scratch: str
    rows: int
    seconds: float
    missing: list[str]
    verify_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.missing

    def bench_line(self) -> str:
        return f"BENCH restore_drill rows={self.rows} seconds={self.seconds:.2f} ok={1 if self.ok else 0}"


def restore_drill(
    *, dsn: Dsn, backup_dir: Path, identity: str = "", jobs: int = 1, show_progress: bool | None = None
) -> DrillResult:
    """Restore the latest backup into a scratch database, check it, time it, drop it."""
    folder, _ = latest_backup(backup_dir, dsn.dbname)
    scratch = f"{dsn.dbname[:30]}_drill_{os.getpid()}_{int(time.time())}"
    clock = time.monotonic()
    try:
        result = backup_restore(
            folder=folder,
            dsn=dsn,
            target=scratch,
            live_database=dsn.dbname,
            identity=identity,
            jobs=jobs,
            no_owner=True,
            show_progress=show_progress,
        )
        seconds = time.monotonic() - clock
        missing = missing_migrations(result.applied)
    finally:
        with dsn.connect(dbname="postgres") as admin:
            drop_database(admin, scratch)
            drop_database(admin, f"{scratch}__restoring")
    return DrillResult(
        backup=folder,
        scratch=scratch,
        rows=result.rows,
        seconds=seconds,
        missing=missing,
        verify_seconds=result.verify_seconds,
    )
