"""The beat schedule, in code. Each issue adds its periodic tasks here; exactly one beat runs it."""

from __future__ import annotations

CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
