"""The backup metrics come from the newest manifest on disk, so gunicorn's workers report a worker's backup."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from dbops import metrics
from tests.servers import running_gunicorn


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
    with running_gunicorn(tmp_path, workers=2, BACKUP_DIR=str(backup_dir)) as base:
        text = _get(f"{base}/metrics")
    assert _value(text, "chairside_backup_last_success_timestamp_seconds") == finished.timestamp()
    assert _value(text, "chairside_backup_size_bytes") == 4242
