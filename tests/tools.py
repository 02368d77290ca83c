"""Tests that need a Debian tool (pgbouncer, promtool, amtool, chromium, nginx, pgbackrest) find it here.

Locally a missing tool skips the test with a one-line notice; CI (``.ci/run``) sets ``CHAIRSIDE_REQUIRE_TOOLS=1``,
which turns that skip into a failure, so nothing CI promises to run is silently skipped there.
"""

from __future__ import annotations

import os
import shutil

import pytest

SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/lib/chromium"]
)


def tools_required() -> bool:
    return os.environ.get("CHAIRSIDE_REQUIRE_TOOLS") == "1"


def require_tool(name: str, *, package: str | None = None) -> str:
    """The tool's path, or skip (locally) / fail (CI) naming the Debian package that provides it."""
    path = shutil.which(name, path=SEARCH_PATH)
    if path:
        return path
    message = f"{name} not found: install the Debian package {package or name}"
    if tools_required():
        pytest.fail(f"{message} (CHAIRSIDE_REQUIRE_TOOLS=1)", pytrace=False)
    pytest.skip(message)
