"""deploy/pgbackrest/pgbackrest.conf with the real pgbackrest: stanza, encrypted full backup, WAL archiving, and a
point-in-time restore on a throwaway PostgreSQL 15 cluster (pgBackRest 2.45 from Debian supports up to 15)."""

from __future__ import annotations

import configparser
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from dbops import cluster as cluster_module
from dbops.cluster import Cluster, free_port, hand_over, run_as_server_user
from tests.tools import require_tool

DEPLOY_CONF = Path(settings.BASE_DIR) / "deploy" / "pgbackrest" / "pgbackrest.conf"
PG15 = Path("/usr/lib/postgresql/15/bin")


def _test_conf(root: Path, pgdata: Path, port: int) -> Path:
    """The deploy file's [global] (without the off-site repo2) and stanza, with paths inside ``root``."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY_CONF)
    glob = {k: v for k, v in parser["global"].items() if not k.startswith("repo2-")}
    glob.update(
        {
            "repo1-path": str(root / "repo"),
            "spool-path": str(root / "spool"),
            "log-path": str(root / "log"),
            "lock-path": str(root / "lock"),
        }
    )
    stanza = dict(parser["chairside"])
    stanza.update({"pg1-path": str(pgdata), "pg1-port": str(port), "pg1-socket-path": str(root / "sock")})
    conf = root / "pgbackrest.conf"
    lines = ["[global]", *(f"{k}={v}" for k, v in glob.items()), "", "[chairside]"]
    lines += [f"{k}={v}" for k, v in stanza.items()]
    conf.write_text("\n".join(lines) + "\n")
    return conf


def test_pgbackrest_config_backs_up_encrypted_and_restores_to_a_point_in_time(monkeypatch):
    pgbackrest = require_tool("pgbackrest")
    if not (PG15 / "initdb").exists():
        pytest.skip("PostgreSQL 15 server binaries not in /usr/lib/postgresql/15/bin")
    monkeypatch.setattr(cluster_module, "pg_bin", lambda name: str(PG15 / name))
    monkeypatch.setenv("PGBACKREST_REPO1_CIPHER_PASS", "test-only-cipher-pass-0123456789")
    root = Path(tempfile.mkdtemp(prefix="chairside-pgbackrest-"))
    source = Cluster(root, name="primary")
    restored = Cluster(root, name="restored", port=free_port())
    for folder in ("repo", "spool", "log", "lock"):
        (root / folder).mkdir()
    conf = _test_conf(root, source.pgdata, source.port)
    hand_over(root)

    def backrest(*args: str, pg_path: Path | None = None):
        extra = [f"--pg1-path={pg_path}"] if pg_path else []
        result = run_as_server_user([pgbackrest, f"--config={conf}", "--stanza=chairside", *extra, *args], check=False)
        assert result.returncode == 0, f"pgbackrest {' '.join(args)}: {result.stdout}\n{result.stderr}"
        return result

    try:
        source.init(
            settings={
                "wal_level": "replica",
                "archive_mode": "on",
                "archive_command": f"{pgbackrest} --config={conf} --stanza=chairside archive-push %p",
            }
        ).start()
        backrest("stanza-create")
        backrest("check")
        source.execute("CREATE TABLE drill_marker (label text PRIMARY KEY)")
        backrest("--type=full", "backup")
        source.execute("INSERT INTO drill_marker VALUES ('A')")
        target = source.execute("SELECT clock_timestamp()::text")[0][0]
        source.execute("INSERT INTO drill_marker VALUES ('B')")
        backrest("check")  # switches WAL and waits until the segment holding B is archived
        source.stop("immediate")

        info = json.loads(backrest("--output=json", "info").stdout)
        assert info[0]["cipher"] == "aes-256-cbc"
        assert [b["type"] for b in info[0]["backup"]] == ["full"]
        # Nothing in the repository is readable without the passphrase.
        assert all(b"drill_marker" not in p.read_bytes() for p in (root / "repo").rglob("*") if p.is_file())

        restored.pgdata.mkdir(mode=0o700)
        hand_over(restored.pgdata)
        backrest(
            # --set: the backup's stop time is kept to the second, so "the newest set before the target" could miss it.
            f"--set={info[0]['backup'][0]['label']}",
            "--type=time",
            f"--target={target}",
            "--target-action=promote",
            "restore",
            pg_path=restored.pgdata,
        )
        restored.configure({"archive_mode": "off"})
        restored.start()
        deadline = time.monotonic() + 60
        while restored.execute("SELECT pg_is_in_recovery()")[0][0]:
            assert time.monotonic() < deadline, restored.log_text()[-2000:]
            time.sleep(0.1)
        assert restored.execute("SELECT label FROM drill_marker ORDER BY label") == [("A",)]
    finally:
        restored.stop("immediate")
        source.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
