"""The backup metrics come from the newest manifest on disk, so gunicorn's workers report a worker's backup."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from dbops import metrics
from dbops.cluster import free_port


def _write_manifest(backup_dir: Path, finished: datetime, size: int, name: str) -> None:
    folder = backup_dir / name
    folder.mkdir(parents=True)
    manifest = {"database": "chairside", "created_at": finished.isoformat(), "finished_at": finished.isoformat()}
    (folder / "manifest.json").write_text(json.dumps({**manifest, "bytes": size}))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{name}(?:\{{[^}}]*\}})? (\S+)$", text, re.M)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


def test_gauges_follow_the_newest_manifest(tmp_path):
    _write_manifest(tmp_path, datetime(2026, 11, 29, 2, tzinfo=UTC), 1000, "chairside-a")
    _write_manifest(tmp_path, datetime(2026, 11, 30, 2, tzinfo=UTC), 1234, "chairside-b")
    metrics.refresh(tmp_path, force=True)
    assert metrics.LAST_SUCCESS._value.get() == datetime(2026, 11, 30, 2, tzinfo=UTC).timestamp()
    assert metrics.SIZE._value.get() == 1234


def test_metrics_under_gunicorn_workers_show_the_last_backup(tmp_path):
    backup_dir = tmp_path / "backups"
    finished = datetime(2026, 11, 30, 2, 0, 5, tzinfo=UTC)
    _write_manifest(backup_dir, finished, 4242, "chairside-20261130T020000Z")
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BACKUP_DIR": str(backup_dir),
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                text = _get(f"http://127.0.0.1:{port}/metrics")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"gunicorn did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
        assert _value(text, "chairside_backup_last_success_timestamp_seconds") == finished.timestamp()
        assert _value(text, "chairside_backup_size_bytes") == 4242
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
