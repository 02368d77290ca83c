"""Suite-wide fixtures: real PostgreSQL and Redis (never SQLite, never a fake cache), API clients per role."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from salons.models import Role
from salons.tests.factories import ApiKeyFactory, MembershipFactory, SalonFactory, UserFactory
from tests.pooling import django_through, start_pgbouncer, through_pgbouncer_requested

pytest_plugins = ["messaging.testing", "ai_conversations.testing", "tests.pinned_dates", "tests.broker"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache; only this run's keys are touched (the Redis may be shared)."""
    yield
    client = cache.client.get_client(write=True)
    prefix = cache.key_prefix
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


@pytest.fixture(scope="session", autouse=True)
def _session_through_pgbouncer(request):
    """``TEST_THROUGH_PGBOUNCER=1``: every test talks to its database through a PgBouncer in transaction mode.

    The test database is created (and dropped) directly; only the tests' connections go through the pooler."""
    if not through_pgbouncer_requested():
        yield None
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        bouncer = start_pgbouncer()
    try:
        with django_through(bouncer):
            yield bouncer
    finally:
        bouncer.destroy()


@pytest.fixture
def pgbouncer(django_db_blocker):
    """Start a PgBouncer (transaction mode) for one test: ``pgbouncer(pool_size=1)``; stopped afterwards."""
    started = []

    def _start(**kwargs):
        with django_db_blocker.unblock():
            started.append(start_pgbouncer(**kwargs))
        return started[-1]

    yield _start
    for bouncer in started:
        bouncer.destroy()


@pytest.fixture
def salon(db):
    return SalonFactory()


@pytest.fixture
def other_salon(db):
    return SalonFactory()


@pytest.fixture
def make_member(db):
    def _make(salon, role=Role.OWNER, **user_kwargs):
        return MembershipFactory(salon=salon, role=role, user=UserFactory(**user_kwargs)).user

    return _make


@pytest.fixture
def owner(salon, make_member):
    return make_member(salon, Role.OWNER)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def owner_client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def api_key(salon):
    return ApiKeyFactory(salon=salon)
