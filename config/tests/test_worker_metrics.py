"""A Celery worker serves what its forked children counted, merged, on CELERY_METRICS_PORT."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

from config.worker_metrics import start_metrics_server
from dbops.cluster import free_port

CHILD = """
from messaging.metrics import MESSAGES_SENT
MESSAGES_SENT.labels("text", "failed").inc(3)
"""


def test_worker_serves_its_children_counters_merged(tmp_path, monkeypatch):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two "pool children", each with its own file
        subprocess.run([sys.executable, "-c", CHILD], env=env, check=True, timeout=120)
    port = free_port()
    monkeypatch.setenv("CELERY_METRICS_PORT", str(port))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    server = start_metrics_server()
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'chairside_whatsapp_messages_total{outcome="failed",type="text"} 6.0' in text


def test_no_port_no_server(monkeypatch):
    monkeypatch.delenv("CELERY_METRICS_PORT", raising=False)
    assert start_metrics_server() is None
