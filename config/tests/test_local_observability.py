"""The embedded local PostgreSQL (no DATABASE_URL) runs with pg_stat_statements, auto_explain and the slow log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

PROBE = """
import os, psycopg
from config import local_services
local_services.ensure_local_services()
# Server settings: the administrator (DATABASE_ADMIN_URL); the app role may not read shared_preload_libraries.
with psycopg.connect(os.environ["DATABASE_ADMIN_URL"]) as conn:
    print("preload", conn.execute("SHOW shared_preload_libraries").fetchone()[0])
    print("slowlog", conn.execute("SHOW log_min_duration_statement").fetchone()[0])
    print("explain", conn.execute("SHOW auto_explain.log_min_duration").fetchone()[0])
# The app's own connection (DATABASE_URL, the app role) reads the statement statistics.
with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
    print("app", conn.execute("SELECT current_user").fetchone()[0])
    print("statements", conn.execute("SELECT count(*) >= 0 FROM pg_stat_statements").fetchone()[0])
"""


def test_embedded_postgres_loads_pg_stat_statements_and_auto_explain(tmp_path):
    ignored = {"DATABASE_URL", "DATABASE_ADMIN_URL", "DATABASE_OWNER_URL", "PROMETHEUS_MULTIPROC_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env["CHAIRSIDE_DATA_DIR"] = str(tmp_path / "data")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")  # only PostgreSQL is under test
    for _ in range(2):  # a fresh data folder, then a restart of the configured one
        result = subprocess.run(
            [sys.executable, "-c", PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
        lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
        assert lines["preload"] == "pg_stat_statements, auto_explain"
        assert lines["slowlog"] == "200ms"
        assert lines["explain"] == "500ms"
        assert lines["app"] == "chairside_app"
        assert lines["statements"] == "True"
