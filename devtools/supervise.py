"""The local supervisor of ``make run`` (``manage.py run_local``): one process dying never ends the run.

- Each process of Procfile.dev runs in a process group of its own; its output is prefixed with its name. When one
  exits (crash, ``kill -9``), its whole group is killed (a Celery worker's pool children too) and it is started again
  after a short pause, doubling while it keeps dying (1 s … 30 s), with a line saying which one died and how.
- The embedded Redis and PostgreSQL (config.local_services), when this run uses them, are watched too: stopped (or
  killed), they are started again with the same socket and data folder.
- Ctrl-C (or SIGTERM) stops every process, then an embedded PostgreSQL that was restarted (by us or from outside) is
  stopped too when no other process uses it.

Fault drills (``manage.py fault_soak``) read the pids from ``state.json`` and may hold a restart back for a while by
writing ``hold/<name>`` (a Unix time) in the supervisor's folder (``.data/supervise``): see ``hold()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from devtools.embedded import EmbeddedPostgres, EmbeddedRedis

MAX_BACKOFF = 30.0
COLORS = ["36", "33", "32", "35", "34", "31", "96", "93"]


def supervise_dir(data_dir: Path) -> Path:
    return data_dir / "supervise"


def hold(data_dir: Path, name: str, seconds: float) -> None:
    """Do not restart ``name`` (a process, ``redis`` or ``postgres``) for ``seconds`` (fault drills)."""
    folder = supervise_dir(data_dir) / "hold"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(str(time.time() + seconds))


def held(data_dir: Path, name: str) -> bool:
    path = supervise_dir(data_dir) / "hold" / name
    try:
        return float(path.read_text() or 0) > time.time()
    except (FileNotFoundError, ValueError):
        return False


def read_state(data_dir: Path) -> dict:
    try:
        return json.loads((supervise_dir(data_dir) / "state.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


@dataclass
class Child:
    name: str
    command: str
    color: str
    popen: subprocess.Popen | None = None
    restarts: int = 0
    backoff: float = 1.0
    next_start: float = 0.0
    started_at: float = 0.0
    history: list[float] = field(default_factory=list)


class Supervisor:
    def __init__(self, processes: dict[str, str], *, env: dict, cwd: str, data_dir: Path, out=sys.stdout) -> None:
        self.children = [Child(name, cmd, COLORS[i % len(COLORS)]) for i, (name, cmd) in enumerate(processes.items())]
        self.env, self.cwd, self.data_dir, self.out = env, cwd, data_dir, out
        self.width = max((len(name) for name in processes), default=6)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.services = []
        if env.get("CHAIRSIDE_EMBEDDED_REDIS"):
            self.services.append(EmbeddedRedis.from_env(env))
        if env.get("CHAIRSIDE_EMBEDDED_POSTGRES"):
            self.services.append(EmbeddedPostgres.from_env(env, data_dir))

    # --- output ---------------------------------------------------------------------------------------------------
    def say(self, name: str, line: str, color: str = "1") -> None:
        stamp = time.strftime("%H:%M:%S")
        with self._lock:
            self.out.write(f"\x1b[{color}m{stamp} {name:<{self.width}} |\x1b[0m {line.rstrip()}\n")
            self.out.flush()

    def _pump(self, child: Child, stream) -> None:
        for line in iter(stream.readline, ""):
            self.say(child.name, line, child.color)
        stream.close()

    # --- processes ------------------------------------------------------------------------------------------------
    def _start(self, child: Child) -> None:
        child.popen = subprocess.Popen(  # noqa: S602 (Procfile.dev's own lines, run by a shell as honcho does)
            child.command,
            shell=True,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: killed whole, and Ctrl-C reaches it through us
        )
        child.started_at = time.monotonic()
        threading.Thread(target=self._pump, args=(child, child.popen.stdout), daemon=True).start()
        self.say("system", f"{child.name} started (pid {child.popen.pid})")
        self._write_state()

    def _reap(self, child: Child) -> None:
        """After the main process exited: kill what is left of its group (pool children), schedule the restart."""
        code = child.popen.returncode
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.popen.pid, signal.SIGKILL)
        how = f"killed by signal {-code}" if code < 0 else f"exited with status {code}"
        if time.monotonic() - child.started_at > 60:
            child.backoff = 1.0  # it ran a while: a fresh failure, not a crash loop
        child.next_start = time.monotonic() + child.backoff
        self.say(
            "system",
            f"{child.name} {how}; restarting it in {child.backoff:.0f} s "
            f"(by hand: python manage.py run_local --only {child.name} --no-demo)",
            "31",
        )
        child.backoff = min(child.backoff * 2, MAX_BACKOFF)
        child.restarts += 1
        child.popen = None
        self._write_state()

    def _write_state(self) -> None:
        folder = supervise_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        state = {
            "supervisor": os.getpid(),
            "processes": {c.name: c.popen.pid for c in self.children if c.popen is not None},
            "restarts": {c.name: c.restarts for c in self.children},
            "services": {s.name: s.describe() for s in self.services},
        }
        tmp = folder / "state.json.tmp"
        tmp.write_text(json.dumps(state))
        tmp.replace(folder / "state.json")

    # --- the loop -------------------------------------------------------------------------------------------------
    def stop(self, *_: object) -> None:
        self._stop.set()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        for child in self.children:
            self._start(child)
        last_service_check = 0.0
        while not self._stop.wait(0.2):
            for child in self.children:
                if child.popen is not None and child.popen.poll() is not None:
                    self._reap(child)
                elif (
                    child.popen is None and time.monotonic() >= child.next_start and not held(self.data_dir, child.name)
                ):
                    self._start(child)
            if time.monotonic() - last_service_check >= 1.0:
                last_service_check = time.monotonic()
                self._watch_services()
        self._shutdown()
        return 0

    def _watch_services(self) -> None:
        for service in self.services:
            if held(self.data_dir, service.name) or service.alive():
                continue
            self.say("system", f"embedded {service.name} is down; starting it again", "31")
            try:
                service.start()
                self.say("system", f"embedded {service.name} is back")
            except Exception as exc:  # try again at the next check
                self.say("system", f"embedded {service.name} did not start: {exc}", "31")
            self._write_state()

    def _shutdown(self) -> None:
        self.say("system", "stopping every process")
        running = [c for c in self.children if c.popen is not None and c.popen.poll() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.popen.wait(timeout=max(deadline - time.monotonic(), 0.1))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.popen.pid, signal.SIGKILL)
        for service in self.services:
            service.release()
        with contextlib.suppress(FileNotFoundError):
            (supervise_dir(self.data_dir) / "state.json").unlink()
