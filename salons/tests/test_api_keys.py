"""API keys API (owners): shown once, stored hashed, prefix visible, revocable."""

import hashlib

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from salons.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(owner):
    from salons.tests.conftest import bearer

    return bearer(owner)


def test_create_shows_the_key_once_and_stores_only_its_hash(salon, owner, owner_api):
    url = reverse("api-key-list", kwargs={"salon_id": salon.pk})
    response = owner_api.post(url, {"name": "booking widget", "scope": "write"}, format="json")
    assert response.status_code == 201
    body = response.json()
    raw = body["key"]
    assert raw.startswith(f"cs_{body['prefix']}_")
    stored = ApiKey.all_salons.get(pk=body["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.created_by == owner and stored.scope == "write" and stored.salon_id == salon.pk
    assert raw not in str(ApiKey.all_salons.filter(pk=stored.pk).values().get())
    listed = owner_api.get(url)
    assert raw not in listed.content.decode()
    assert [k["prefix"] for k in listed.json()["results"]] == [body["prefix"]]
    detail = owner_api.get(reverse("api-key-detail", kwargs={"salon_id": salon.pk, "pk": stored.pk}))
    assert "key" not in detail.json()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert client.get(reverse("customer-list", kwargs={"salon_id": salon.pk})).status_code == 200


def test_revoke_makes_the_key_401(salon, owner_api, api_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key.raw_key}")
    customers = reverse("customer-list", kwargs={"salon_id": salon.pk})
    assert client.get(customers).status_code == 200
    url = reverse("api-key-revoke", kwargs={"salon_id": salon.pk, "pk": api_key.pk})
    response = owner_api.post(url)
    assert response.status_code == 200 and response.json()["revoked_at"] and not response.json()["is_active"]
    assert owner_api.post(url).status_code == 200  # idempotent
    assert client.get(customers).status_code == 401


def test_invalid_scope_is_400(salon, owner_api):
    url = reverse("api-key-list", kwargs={"salon_id": salon.pk})
    assert owner_api.post(url, {"name": "x", "scope": "admin"}, format="json").status_code == 400
    assert ApiKey.all_salons.count() == 0
