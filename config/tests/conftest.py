"""Helpers for the foundation tests: a closed port and a settings override that points Redis at it."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings, closed_port):
    """Redis (cache, readiness check and broker) unreachable for the duration of the test."""
    dead = f"redis://127.0.0.1:{closed_port}/0"
    settings.REDIS_URL = dead
    settings.CELERY_BROKER_URL = dead
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": dead},
    }
    return dead
