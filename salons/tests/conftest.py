"""Fixtures of the salons tests: API clients for a member of a given role, or for an API key."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from salons.tests.factories import ApiKeyFactory


def bearer(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def member_client(make_member):
    """``member_client(salon, role)`` -> an APIClient with a JWT of a new member of that role."""

    def _make(salon, role):
        return bearer(make_member(salon, role))

    return _make


@pytest.fixture
def key_client(db):
    """``key_client(salon, scope)`` -> an APIClient sending a new API key of that scope."""

    def _make(salon, scope):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {ApiKeyFactory(salon=salon, scope=scope).raw_key}")
        return client

    return _make
