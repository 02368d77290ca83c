"""``manage.py fake_whatsapp`` as a developer runs it: its control endpoints answer (they used to crash there)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def command_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "fake_whatsapp", "--port", str(port), "--delay", "0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/_fake/sent", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"fake_whatsapp did not start: {process.stdout.read().decode()[-2000:]}")
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_control_endpoints_answer_under_the_command(command_server):
    control = f"{command_server}/_fake"
    assert httpx.post(f"{control}/fail", json={"code": 131047, "count": 1}).json() == {"ok": True}
    assert httpx.post(f"{control}/timeout", json={"count": 1}).json() == {"ok": True}
    assert httpx.post(f"{control}/server_error", json={"count": 1, "status": 503}).json() == {"ok": True}
    assert httpx.post(f"{control}/plan", json={"statuses": ["sent", "delivered"], "delay": 0}).json() == {"ok": True}
    assert httpx.post(f"{control}/reset", json={}).json() == {"ok": True}
    assert httpx.get(f"{control}/sent").json() == {"sent": []}
    assert httpx.post(f"{control}/plan", json={"statuses": "sent", "bogus": 1}).status_code == 400
    inbound = httpx.post(f"{control}/inbound", json={"user_id": "US.1", "username": "ana", "withhold_phone": True})
    assert inbound.status_code == 200 and inbound.json()["value"]["contacts"][0]["user_id"] == "US.1"
