"""The container's release role backs up before migrating when BACKUP_BEFORE_MIGRATE=1, and a failed backup stops
the release before any migration runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.conf import settings

ENTRYPOINT = Path(settings.BASE_DIR) / "deploy" / "entrypoint.sh"


def _release(tmp_path: Path, *, backup_before_migrate: str | None, backup_fails: bool = False):
    """Run the entrypoint's release role with a stand-in ``python`` that records each manage.py call."""
    calls = tmp_path / "calls"
    shim = tmp_path / "bin" / "python"
    shim.parent.mkdir()
    shim.write_text(
        f'#!/bin/sh\necho "$2" >> {calls}\n' + ('[ "$2" = db_backup ] && exit 3\n' if backup_fails else "") + "exit 0\n"
    )
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"}
    env.pop("BACKUP_BEFORE_MIGRATE", None)
    if backup_before_migrate is not None:
        env["BACKUP_BEFORE_MIGRATE"] = backup_before_migrate
    result = subprocess.run(["sh", str(ENTRYPOINT), "release"], env=env, capture_output=True, text=True)
    return result.returncode, calls.read_text().split() if calls.exists() else []


def test_release_backs_up_before_migrating_when_asked(tmp_path):
    code, calls = _release(tmp_path, backup_before_migrate="1")
    assert code == 0
    assert calls == ["db_backup", "migrate", "check"]


def test_release_without_the_option_only_migrates(tmp_path):
    code, calls = _release(tmp_path, backup_before_migrate=None)
    assert code == 0
    assert calls == ["migrate", "check"]


def test_a_failed_backup_stops_the_release_before_migrating(tmp_path):
    code, calls = _release(tmp_path, backup_before_migrate="1", backup_fails=True)
    assert code == 3
    assert calls == ["db_backup"]
