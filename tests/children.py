"""Tests that run the project in a child process (``manage.py shell -c``) or wait for a condition another process or
thread brings about."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings


def manage_shell(code: str, *, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """``manage.py shell -c code`` in a fresh interpreter with exactly ``env``; its output captured as text."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    """Poll ``condition`` every 50 ms; fail once ``timeout`` seconds have passed without it."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)
