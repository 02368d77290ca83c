"""Settings for the test suite: the real settings, with fast hashing, a per-run cache key prefix and a Celery broker
of its own (another Redis database, a per-run key prefix) that the suite empties behind itself."""

import os
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

os.environ["CHAIRSIDE_TESTING"] = "1"
# Unconditional: xdist workers inherit the controller's environment, and two workers sharing a prefix share throttle
# counters (user ids repeat across their databases) and empty each other's keys.
os.environ["CACHE_KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"

from config.settings import *  # noqa: F403
from config.settings import CACHE_KEY_PREFIX, CELERY_BROKER_TRANSPORT_OPTIONS, REDIS_URL, _broker_from_redis

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False


def redis_url_with_db(url: str, db: int) -> str:
    """``url`` (``redis://``, ``rediss://`` or ``unix://…?db=``) pointing at database ``db`` of the same server."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query["db"] = str(db)
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(path=f"/{db}"))


# Tasks the tests publish never reach the queues a `make run` worker (or another run) reads: they go to a database
# of their own on the same Redis (TEST_CELERY_REDIS_DB, default 15), under this run's key prefix, and every test's
# messages are deleted after it (conftest.py, _empty_test_broker). CELERY_BROKER_URL, when set, is used as given.
TEST_CELERY_REDIS_DB = int(os.environ.get("TEST_CELERY_REDIS_DB", "15"))
TEST_CELERY_KEY_PREFIX = f"{CACHE_KEY_PREFIX}-celery:"
if not os.environ.get("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = _broker_from_redis(redis_url_with_db(REDIS_URL, TEST_CELERY_REDIS_DB))
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": TEST_CELERY_KEY_PREFIX}

# A test's setup runs across salons (conftest.py); the requests it makes must not inherit that.
MIDDLEWARE = ["salons.rls.NoDatabaseScopeMiddleware", *MIDDLEWARE]  # noqa: F405
# Test-only switch: CHAIRSIDE_TEST_ORM_FILTER=off removes the scoped manager's filter, so that the isolation suite
# shows row-level security alone keeps salons apart (docs/database-roles.md).
TENANCY_ORM_FILTER = os.environ.get("CHAIRSIDE_TEST_ORM_FILTER", "on") != "off"
