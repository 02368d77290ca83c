"""The suite's Celery broker: its own Redis database and per-run prefix, emptied after every test."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from messaging.tasks import message_send
from tests.broker import broker_client, broker_keys, empty_test_broker

pytestmark = pytest.mark.skipif(
    "global_keyprefix" not in settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    reason="CELERY_BROKER_URL is set explicitly: the suite uses that broker as given",
)


def test_tasks_published_by_tests_go_to_the_test_broker_and_nothing_is_left_behind():
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == settings.TEST_CELERY_KEY_PREFIX
    app_redis = cache.client.get_client(write=True)
    app_keys_before = {key for key in app_redis.scan_iter(match="*", count=1000) if b"outbound" in key}

    message_send.apply_async(kwargs={"message_id": 1, "salon_id": "00000000-0000-0000-0000-000000000000"})
    message_send.delay(message_id=2, salon_id="00000000-0000-0000-0000-000000000000")

    queued = broker_client().lrange(f"{settings.TEST_CELERY_KEY_PREFIX}outbound", 0, -1)
    assert len(queued) == 2  # really published, to this run's queue in the test database
    assert all(key.startswith(settings.TEST_CELERY_KEY_PREFIX.encode()) for key in broker_keys())
    # Nothing reached the database the application (and a `make run` worker) uses.
    assert {key for key in app_redis.scan_iter(match="*", count=1000) if b"outbound" in key} == app_keys_before

    empty_test_broker()  # what the autouse fixture does after every test
    assert broker_keys() == []


@pytest.mark.parametrize("order", ["first", "second"])
def test_every_test_starts_with_an_empty_broker(order):
    assert broker_keys() == []
    message_send.delay(message_id=3, salon_id="00000000-0000-0000-0000-000000000000")
    assert broker_keys() != []


def test_the_test_broker_is_another_database_than_the_application_redis():
    app_db = redis.Redis.from_url(settings.REDIS_URL).connection_pool.connection_kwargs.get("db", 0)
    assert broker_client().connection_pool.connection_kwargs["db"] == settings.TEST_CELERY_REDIS_DB != int(app_db)
