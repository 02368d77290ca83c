"""The project's real gunicorn (``gunicorn.conf.py``) on a free port, for tests that need the server itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.db.urls import sibling_database_url
from dbops.cluster import free_port


@contextmanager
def running_gunicorn(tmp_path: Path, *, workers: int = 1, test_database: bool = False, **env: str) -> Iterator[str]:
    """gunicorn with ``workers`` workers and ``env`` on top of this environment; yields its base URL once /healthz
    answers. ``test_database``: the workers use this test's database (as the test's own role), not DATABASE_URL."""
    port = free_port()
    child_env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **env,
    }
    if test_database:
        child_env["DATABASE_URL"] = sibling_database_url(connection.settings_dict["NAME"])
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "gunicorn.log").open("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env=child_env,
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"gunicorn did not start:\n{log.read()[-3000:]}")
                    time.sleep(0.3)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
