"""The short fault soak, in CI: a real `make run` stack (embedded PostgreSQL and Redis in a folder of its own, the
supervisor, web, worker, relay, beat and the fake Graph API on free ports), every scenario, nothing lost.

It takes a few minutes (the stack's migrations, then seven scenarios of about 15 s each plus their drains)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from devtools.soak.faults import SCENARIOS

BASE_DIR = Path(__file__).resolve().parents[2]
BENCH = re.compile(
    r"BENCH fault scenario=(?P<scenario>\w+) accepted=(?P<accepted>\d+) lost_events=(?P<lost_events>\d+) "
    r"unanswered=(?P<unanswered>\d+) lost_bookings=(?P<lost_bookings>\d+) duplicate_sends=(?P<duplicates>\d+) "
    r"recovery_s=(?P<recovery>-?[\d.]+)"
)
# docs/messaging.md, "The duplicate-send bound": the sends in flight when a sender dies (2 worker processes locally).
DUPLICATE_BOUND = {"worker": 2, "fake_graph": 5}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_env(data_dir: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "TEST_", "CELERY_", "CHAIRSIDE_", "CACHE_KEY_PREFIX"))
    }
    web, graph = free_port(), free_port()
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CHAIRSIDE_DATA_DIR": data_dir,
        "PORT": str(web),
        "FAKE_WHATSAPP_PORT": str(graph),
        "WHATSAPP_GRAPH_BASE_URL": f"http://127.0.0.1:{graph}",
        "PYTHONUNBUFFERED": "1",
    }


def wait_for(url: str, timeout: float, stack: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert stack.poll() is None, "the stack exited"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_short_fault_soak_loses_nothing_in_any_scenario():
    data_dir = tempfile.mkdtemp(prefix="soak")  # short: PostgreSQL's socket lives in it
    env = stack_env(data_dir)
    log = open(Path(data_dir) / "stack.log", "w")  # noqa: SIM115 (closed below, after the stack stopped)
    python = sys.executable
    stack = subprocess.Popen(
        [python, "manage.py", "run_local", "--no-demo"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for(f"http://127.0.0.1:{env['PORT']}/healthz", 600, stack)
        wait_for(f"http://127.0.0.1:{env['FAKE_WHATSAPP_PORT']}/_fake/sent", 120, stack)
        soak = subprocess.run(
            [python, "manage.py", "fault_soak", "--short"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(timeout=120)
        except subprocess.TimeoutExpired:
            stack.kill()
        log.close()
    shutil.rmtree(data_dir, ignore_errors=True)  # the stack's embedded services stopped with it
    lines = {m["scenario"]: m for m in map(BENCH.search, soak.stdout.splitlines()) if m}
    print(soak.stdout)
    assert soak.returncode == 0, soak.stderr[-3000:]
    assert sorted(lines) == sorted(SCENARIOS)
    for name, line in lines.items():
        assert int(line["accepted"]) > 0, name
        assert (line["lost_events"], line["unanswered"], line["lost_bookings"]) == ("0", "0", "0"), line.group(0)
        assert int(line["duplicates"]) <= DUPLICATE_BOUND.get(name, 0), line.group(0)
        assert float(line["recovery"]) >= 0, line.group(0)  # drained within the timeout
