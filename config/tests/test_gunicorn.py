"""gunicorn.conf.py end to end: JSON access lines, and /metrics totals that survive worker restarts."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with 2 workers that each serve at most 5 requests before being replaced."""
    port = _free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_MAX_REQUESTS": "5",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if _get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"gunicorn did not start:\n{log.read()[-3000:]}")
            time.sleep(0.3)
    yield base, tmp_path
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    log.close()


def test_metrics_add_up_across_workers_and_restarts_and_access_lines_are_json(gunicorn):
    base, tmp_path = gunicorn
    for _ in range(12):
        assert _get(f"{base}/admin/login/")[0] == 200

    status, text = _get(f"{base}/metrics")

    # No single worker served more than 5 requests, so 12 can only come from the merged multiprocess files.
    assert status == 200
    match = re.search(
        r'^django_http_requests_total_by_view_transport_method_total\{(?=[^}]*view="admin:login")'
        r'(?=[^}]*method="GET")[^}]*\} (\S+)$',
        text,
        re.MULTILINE,
    )
    assert match and float(match.group(1)) >= 12
    assert len(list((tmp_path / "prometheus").glob("counter_*.db"))) >= 3

    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access" and line.get("path") == "/admin/login/"]
    assert len(access) >= 12
    assert all(line["status"] == 200 and line["request_id"] for line in access)
