"""Settings for the test suite: the real settings, with fast hashing and a per-run cache key prefix."""

import os
import uuid

os.environ["CHAIRSIDE_TESTING"] = "1"
# Unconditional: xdist workers inherit the controller's environment, and two workers sharing a prefix share throttle
# counters (user ids repeat across their databases) and empty each other's keys.
os.environ["CACHE_KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# A test's setup runs across salons (conftest.py); the requests it makes must not inherit that.
MIDDLEWARE = ["salons.rls.NoDatabaseScopeMiddleware", *MIDDLEWARE]  # noqa: F405
# Test-only switch: CHAIRSIDE_TEST_ORM_FILTER=off removes the scoped manager's filter, so that the isolation suite
# shows row-level security alone keeps salons apart (docs/database-roles.md).
TENANCY_ORM_FILTER = os.environ.get("CHAIRSIDE_TEST_ORM_FILTER", "on") != "off"
