"""One fault per scenario, injected into the stack that ``make run`` supervises (devtools.supervise): a process
killed with SIGKILL (the supervisor restarts it), Redis or the fake Graph API down for a while (the supervisor holds
its restart back meanwhile), PostgreSQL restarted in fast mode."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from devtools.embedded import EmbeddedPostgres, EmbeddedRedis
from devtools.supervise import hold, read_state

# scenario name -> the Procfile.dev process it kills
KILLS = {"relay": "webhooks_relay", "worker": "worker", "web": "web", "beat": "beat"}
SCENARIOS = ["relay", "worker", "web", "beat", "redis", "postgres", "fake_graph"]


class FaultError(Exception):
    pass


def _pid(data_dir: Path, process: str) -> int:
    pid = read_state(data_dir).get("processes", {}).get(process)
    if not pid:
        raise FaultError(f"no running {process!r} in {data_dir}/supervise/state.json: is `make run` running?")
    return int(pid)


def kill9(data_dir: Path, process: str) -> None:
    os.kill(_pid(data_dir, process), signal.SIGKILL)


def redis_down(data_dir: Path, seconds: float) -> None:
    if not os.environ.get("CHAIRSIDE_EMBEDDED_REDIS"):
        raise FaultError("Redis is not the embedded one of `make run`: not stopping it")
    server = EmbeddedRedis.from_env(dict(os.environ))
    hold(data_dir, "redis", seconds)
    server.stop()
    time.sleep(seconds)
    deadline = time.monotonic() + 60
    while not server.alive():  # the supervisor starts it again once the hold ends
        if time.monotonic() > deadline:
            raise FaultError("Redis did not come back")
        time.sleep(0.2)


def postgres_fast_restart(data_dir: Path) -> None:
    if not os.environ.get("CHAIRSIDE_EMBEDDED_POSTGRES"):
        raise FaultError("PostgreSQL is not the embedded one of `make run`: not restarting it")
    hold(data_dir, "postgres", 30)  # the supervisor must not start it while pg_ctl restarts it
    try:
        EmbeddedPostgres.from_env(dict(os.environ), data_dir).fast_restart()
    finally:
        hold(data_dir, "postgres", 0)


def fake_graph_down(data_dir: Path, seconds: float, before_kill: Callable[[], None]) -> None:
    before_kill()
    hold(data_dir, "fake_whatsapp", seconds)
    kill9(data_dir, "fake_whatsapp")
    time.sleep(seconds)


def inject(name: str, *, data_dir: Path, outage: float, graph_url: str, snapshot: Callable[[], None]) -> None:
    """Inject scenario ``name``'s fault; returns when the fault is over (the service is back or being restarted)."""
    if name in KILLS:
        kill9(data_dir, KILLS[name])
    elif name == "redis":
        redis_down(data_dir, outage)
    elif name == "postgres":
        postgres_fast_restart(data_dir)
    elif name == "fake_graph":
        fake_graph_down(data_dir, outage, snapshot)
    else:
        raise FaultError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")


def graph_sent(graph_url: str) -> list[dict]:
    """What the fake Graph API received since its start (or its last reset); [] while it is down."""
    try:
        return httpx.get(f"{graph_url}/_fake/sent", timeout=10).json()["sent"]
    except (httpx.HTTPError, ValueError, KeyError):
        return []


def graph_reset(graph_url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(f"{graph_url}/_fake/reset", json={}, timeout=10)
