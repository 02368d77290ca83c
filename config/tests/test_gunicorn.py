"""gunicorn.conf.py end to end: JSON access lines, and /metrics totals that survive worker restarts."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import running_gunicorn

BASE_DIR = Path(settings.BASE_DIR)


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with 2 workers that each serve at most 5 requests before being replaced."""
    with running_gunicorn(tmp_path, workers=2, GUNICORN_MAX_REQUESTS="5") as base:
        yield base, tmp_path


def test_metrics_add_up_across_workers_and_restarts_and_access_lines_are_json(gunicorn):
    base, tmp_path = gunicorn
    for _ in range(12):
        assert _get(f"{base}/admin/login/")[0] == 200

    status, text = _get(f"{base}/metrics")

    # No single worker served more than 5 requests, so 12 can only come from the merged multiprocess files.
    assert status == 200
    match = re.search(
        r'^django_http_requests_total_by_view_transport_method_total\{(?=[^}]*view="admin:login")'
        r'(?=[^}]*method="GET")[^}]*\} (\S+)$',
        text,
        re.MULTILINE,
    )
    assert match and float(match.group(1)) >= 12
    assert len(list((tmp_path / "prometheus").glob("counter_*.db"))) >= 3

    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access" and line.get("path") == "/admin/login/"]
    assert len(access) >= 12
    assert all(line["status"] == 200 and line["request_id"] for line in access)
