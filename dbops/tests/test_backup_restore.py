"""db_backup and db_restore against the real test database: identical contents after a round trip, a corrupted or
encrypted-without-key dump never reaches pg_restore, and the live database is never replaced without --force."""

from __future__ import annotations

import json
from io import StringIO

import pyrage
import pytest
from django.core.management import CommandError, call_command

from dbops.backup import latest_backup, prepare_session, table_fingerprints
from dbops.connection import admin_dsn
from dbops.restore import database_exists
from messaging.tests.factories import MessageFactory
from salons.tests.factories import CustomerFactory, SalonFactory


@pytest.fixture
def some_data(transactional_db):
    salons = SalonFactory.create_batch(2)
    for salon in salons:
        CustomerFactory.create_batch(3, salon=salon)
        MessageFactory.create_batch(4, salon=salon)
    return salons


def _fingerprints(dbname: str) -> dict:
    with admin_dsn().connect(dbname=dbname) as conn:
        prepare_session(conn)
        return table_fingerprints(conn)


def _exists(dbname: str) -> bool:
    with admin_dsn().connect(dbname="postgres") as admin:
        return database_exists(admin, dbname)


@pytest.mark.parametrize("fmt", ["custom", "directory"])
def test_backup_then_restore_gives_identical_row_counts_and_checksums(some_data, backup_dir, restore_target, fmt):
    out = StringIO()
    call_command("db_backup", f"--format={fmt}", "--jobs=2", stdout=out)
    _, manifest = latest_backup(backup_dir)
    assert manifest["format"] == fmt
    assert manifest["tables"]["public.salons_salon"]["rows"] == 2
    assert manifest["tables"]["public.messaging_message"]["rows"] == 8
    assert manifest["migrations"]["salons"].startswith("00")
    assert manifest["server_major"] >= 15 and manifest["pg_dump_version"]
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())

    target = restore_target()
    call_command("db_restore", "--target", target, stdout=out)

    live = _fingerprints(admin_dsn().dbname)
    restored = _fingerprints(target)
    assert restored == live == manifest["tables"]
    assert "counts and checksums match the manifest" in out.getvalue()


def test_corrupted_dump_is_detected_before_any_restore_starts(some_data, backup_dir, restore_target):
    call_command("db_backup", stdout=StringIO())
    folder, _ = latest_backup(backup_dir)
    dump = folder / "dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    target = restore_target()
    with pytest.raises(CommandError, match=r"sha256 \w+ does not match the manifest"):
        call_command("db_restore", "--target", target, stdout=StringIO())
    assert not _exists(target)
    assert not _exists(f"{target}__restoring")
    with pytest.raises(CommandError, match="does not match"):
        call_command("db_restore", "--verify-only", stdout=StringIO())


def test_missing_file_of_a_directory_dump_is_detected(some_data, backup_dir, restore_target):
    call_command("db_backup", "--format=directory", stdout=StringIO())
    folder, manifest = latest_backup(backup_dir)
    victim = sorted(name for name in manifest["files"] if name.endswith(".dat.gz"))[0]
    (folder / victim).unlink()
    with pytest.raises(CommandError, match="files differ from the manifest"):
        call_command("db_restore", "--target", restore_target(), stdout=StringIO())


def test_encrypted_backup_cannot_be_restored_without_the_key(some_data, backup_dir, restore_target, settings):
    identity = pyrage.x25519.Identity.generate()
    settings.BACKUP_AGE_RECIPIENTS = [str(identity.to_public())]
    call_command("db_backup", stdout=StringIO())
    folder, manifest = latest_backup(backup_dir)
    assert manifest["encryption"]["method"] == "age"
    assert list(manifest["files"]) == ["dump.age"]
    assert (folder / "dump.age").read_bytes().startswith(b"age-encryption.org/v1")
    assert not (folder / "dump").exists()

    target = restore_target()
    settings.BACKUP_AGE_IDENTITY = ""
    with pytest.raises(CommandError, match="encrypted with age: set BACKUP_AGE_IDENTITY"):
        call_command("db_restore", "--target", target, stdout=StringIO())
    settings.BACKUP_AGE_IDENTITY = str(pyrage.x25519.Identity.generate())  # someone else's key
    with pytest.raises(CommandError, match="cannot decrypt"):
        call_command("db_restore", "--target", target, stdout=StringIO())
    assert not _exists(target)

    settings.BACKUP_AGE_IDENTITY = str(identity)
    call_command("db_restore", "--target", target, stdout=StringIO())
    assert _fingerprints(target) == manifest["tables"]


def test_restore_refuses_the_live_database_and_an_existing_target_without_force(some_data, backup_dir, restore_target):
    call_command("db_backup", stdout=StringIO())
    with pytest.raises(CommandError, match="refusing to restore over the live database"):
        call_command("db_restore", "--target", admin_dsn().dbname, stdout=StringIO())

    target = restore_target()
    call_command("db_restore", "--target", target, stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("db_restore", "--target", target, stdout=StringIO())

    with admin_dsn().connect(dbname=target) as conn:
        conn.execute("DELETE FROM messaging_message")
    out = StringIO()
    call_command("db_restore", "--target", target, "--force", stdout=out)
    assert "is kept as" in out.getvalue()
    assert _fingerprints(target)["public.messaging_message"]["rows"] == 8
    # The database it replaced is renamed aside, never dropped: it still holds the state before the restore.
    with admin_dsn().connect(dbname="postgres") as admin:
        [(kept,)] = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [target[:40].replace("_", r"\_") + r"\_replaced\_%"],
        ).fetchall()
    assert _fingerprints(kept)["public.messaging_message"]["rows"] == 0


def test_manifest_is_written_beside_the_dump_and_partial_folders_are_not_backups(some_data, backup_dir):
    call_command("db_backup", stdout=StringIO())
    folder, manifest = latest_backup(backup_dir)
    on_disk = json.loads((folder / "manifest.json").read_text())
    assert on_disk == manifest
    assert on_disk["rows"] == sum(t["rows"] for t in on_disk["tables"].values())
    assert not list(backup_dir.glob(".*.partial"))
