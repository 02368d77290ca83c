"""A throwaway PgBouncer (Debian's ``pgbouncer``) in front of a PostgreSQL server, for tests, benches and drills.

Like the throwaway clusters (``dbops.cluster``) it runs as the ``embedded_postgres`` system user when we are root
(PgBouncer refuses root), on 127.0.0.1 and a free port, in transaction mode unless told otherwise. The configuration
mirrors ``deploy/pgbouncer/pgbouncer.ini`` where it matters (pool mode, ignored startup parameters).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from dbops.cluster import free_port, hand_over, system_user


class PgBouncer:
    """One pgbouncer process; every database name on the upstream server is reachable through it (``*``)."""

    def __init__(
        self,
        executable: str,
        *,
        upstream_host: str,
        upstream_port: int,
        pool_mode: str = "transaction",
        pool_size: int = 20,
        users: tuple[str, ...] = ("postgres",),
        admin_user: str = "postgres",
        settings: dict[str, object] | None = None,
    ) -> None:
        self.executable = executable
        self.upstream_host, self.upstream_port = upstream_host, upstream_port
        self.pool_mode, self.pool_size, self.users, self.admin_user = pool_mode, pool_size, users, admin_user
        self.settings = settings or {}
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="chairside-pgbouncer-"))
        self.process: subprocess.Popen | None = None

    @property
    def ini(self) -> Path:
        return self.root / "pgbouncer.ini"

    @property
    def log(self) -> Path:
        return self.root / "pgbouncer.log"

    def _write_config(self) -> None:
        host = self.upstream_host
        settings = {
            "listen_addr": "127.0.0.1",
            "listen_port": self.port,
            "unix_socket_dir": "",
            "auth_type": "trust",
            "auth_file": self.root / "userlist.txt",
            "admin_users": self.admin_user,
            "stats_users": self.admin_user,
            "pool_mode": self.pool_mode,
            "default_pool_size": self.pool_size,
            "min_pool_size": 0,
            "reserve_pool_size": 0,
            "max_client_conn": 500,
            "max_db_connections": self.pool_size,
            "server_idle_timeout": 10,
            "server_connect_timeout": 5,
            "server_login_retry": 1,  # after a failed server login (a dead primary), try again after 1 s, not 15
            "ignore_startup_parameters": "extra_float_digits,options",
            "logfile": self.log,
            "pidfile": self.root / "pgbouncer.pid",
            **self.settings,
        }
        lines = ["[databases]", f"* = host={host} port={self.upstream_port}", "", "[pgbouncer]"]
        lines += [f"{key} = {value}" for key, value in settings.items()]
        self.ini.write_text("\n".join(lines) + "\n")
        (self.root / "userlist.txt").write_text("".join(f'"{user}" ""\n' for user in self.users))

    def start(self, *, timeout: float = 30) -> PgBouncer:
        self._write_config()
        hand_over(self.root)
        user = system_user()
        extra = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/"} if user else {}
        self.process = subprocess.Popen(
            [self.executable, str(self.ini)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": tempfile.gettempdir()},
            **extra,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited with {self.process.returncode}:\n{self.log_text()}")
            with socket.socket() as sock:
                sock.settimeout(0.5)
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer did not listen on {self.port}:\n{self.log_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: immediate shutdown (every client and server connection closed)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def admin(self, command: str) -> list[tuple]:
        """Run an admin console command (``SHOW POOLS``, ``RECONNECT``, ...): simple query protocol only."""
        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.admin_user,
            dbname="pgbouncer",
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
        ) as conn:
            cursor = conn.execute(command)
            return cursor.fetchall() if cursor.description else []

    def repoint(self, host: str, port: int) -> None:
        """Send new server connections to another server (failover): rewrite, reload, drop the old connections."""
        self.upstream_host, self.upstream_port = host, port
        self._write_config()
        hand_over(self.root)
        self.admin("RELOAD")
        self.admin("RECONNECT")
