"""Suite-wide fixtures: real PostgreSQL and Redis (never SQLite, never a fake cache), API clients per role."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from salons.models import Role
from salons.tests.factories import ApiKeyFactory, MembershipFactory, SalonFactory, UserFactory

pytest_plugins = ["messaging.testing", "ai_conversations.testing", "tests.pinned_dates", "tests.broker"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache; only this run's keys are touched (the Redis may be shared)."""
    yield
    client = cache.client.get_client(write=True)
    prefix = cache.key_prefix
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


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
