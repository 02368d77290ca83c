"""Pytest plugin (registered in the root conftest): the suite's Celery broker is emptied after every test.

Tests publish real tasks (``.delay``, ``apply_async`` after commit) to the broker of ``config.settings_test``: a
Redis database of their own under this run's key prefix. Whatever a test left there is deleted after it, so nothing
reaches a ``make run`` worker or another run, and the next test starts with an empty broker.
"""

from __future__ import annotations

import pytest
import redis
from django.conf import settings


def broker_client() -> redis.Redis:
    """A plain client of the test broker's Redis database (no prefix applied: keys are seen as stored)."""
    from config.settings_test import redis_url_with_db

    return redis.Redis.from_url(redis_url_with_db(settings.REDIS_URL, settings.TEST_CELERY_REDIS_DB))


def broker_keys() -> list[bytes]:
    """This run's keys in the test broker."""
    prefix = getattr(settings, "TEST_CELERY_KEY_PREFIX", "")
    if not prefix:
        return []
    return sorted(broker_client().scan_iter(match=f"{prefix}*", count=1000))


def empty_test_broker() -> None:
    keys = broker_keys()
    if keys:
        broker_client().delete(*keys)


@pytest.fixture(autouse=True)
def _empty_test_broker():
    yield
    empty_test_broker()
