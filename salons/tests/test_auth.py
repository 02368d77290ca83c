"""People log in with JWT (rotation, blacklisting, logout); servers use API keys; both are throttled in Redis."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from salons.models import ApiKey, Role
from salons.tests.factories import ApiKeyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Chairside-123"


def _login(client, email, password=PASSWORD):
    return client.post(reverse("auth-token"), {"email": email, "password": password}, format="json")


def test_login_with_email_and_password_returns_tokens_that_open_me(salon):
    user = MembershipFactory(salon=salon, role=Role.MANAGER, user=UserFactory(email="anna@example.com")).user
    client = APIClient()
    response = _login(client, "anna@example.com")
    assert response.status_code == 200
    assert {"access", "refresh"} <= response.json().keys()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = client.get(reverse("me"))
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["salons"] == [
        {
            "id": str(salon.pk),
            "name": salon.name,
            "slug": salon.slug,
            "timezone": salon.timezone,
            "currency": salon.currency,
            "role": "manager",
        }
    ]


def test_wrong_password_is_401_and_me_needs_a_token(salon):
    UserFactory(email="anna@example.com")
    assert _login(APIClient(), "anna@example.com", "nope").status_code == 401
    assert APIClient().get(reverse("me")).status_code == 401


def test_refresh_rotates_and_a_rotated_refresh_token_cannot_be_used_again():
    UserFactory(email="anna@example.com")
    client = APIClient()
    first = _login(client, "anna@example.com").json()["refresh"]
    response = client.post(reverse("auth-token-refresh"), {"refresh": first}, format="json")
    assert response.status_code == 200
    second = response.json()["refresh"]
    assert second != first and response.json()["access"]
    reuse = client.post(reverse("auth-token-refresh"), {"refresh": first}, format="json")
    assert reuse.status_code == 401
    assert client.post(reverse("auth-token-refresh"), {"refresh": second}, format="json").status_code == 200


def test_logout_blacklists_the_refresh_token():
    UserFactory(email="anna@example.com")
    client = APIClient()
    refresh = _login(client, "anna@example.com").json()["refresh"]
    assert client.post(reverse("auth-logout"), {"refresh": refresh}, format="json").status_code == 200
    assert client.post(reverse("auth-token-refresh"), {"refresh": refresh}, format="json").status_code == 401


def test_api_key_authenticates_for_its_salon_and_records_last_use(salon):
    key = ApiKeyFactory(salon=salon, scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key.raw_key}")
    response = client.get(reverse("customer-list", kwargs={"salon_id": salon.pk}))
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.key_hash == hashlib.sha256(key.raw_key.encode()).hexdigest()
    assert client.get(reverse("salon-list")).json()[0]["role"] == "viewer"
    assert client.get(reverse("me")).status_code == 403  # a key is not a person


@pytest.mark.parametrize("header", ["Api-Key cs_nope_nope", "Api-Key garbage", "Bearer not-a-jwt"])
def test_bad_credentials_are_401(salon, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(reverse("customer-list", kwargs={"salon_id": salon.pk})).status_code == 401


def test_revoked_api_key_is_401(salon):
    key = ApiKeyFactory(salon=salon)
    ApiKey.all_salons.filter(pk=key.pk).update(revoked_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key.raw_key}")
    assert client.get(reverse("customer-list", kwargs={"salon_id": salon.pk})).status_code == 401


def test_wrong_secret_with_a_real_prefix_is_401(salon):
    key = ApiKeyFactory(salon=salon)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key cs_{key.prefix}_{'x' * 43}")
    assert client.get(reverse("customer-list", kwargs={"salon_id": salon.pk})).status_code == 401


def test_token_endpoint_is_throttled_per_ip_with_retry_after(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth_token", "2/min")
    UserFactory(email="anna@example.com")
    client = APIClient()
    statuses = [_login(client, "anna@example.com", "wrong").status_code for _ in range(2)]
    assert statuses == [401, 401]
    throttled = _login(client, "anna@example.com")  # even the right password waits
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    other_ip = client.post(
        reverse("auth-token"), {"email": "anna@example.com", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert other_ip.status_code == 200


def test_tenant_routes_are_throttled_per_caller(monkeypatch, salon, member_client):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "3/min")
    client, other = member_client(salon, Role.VIEWER), member_client(salon, Role.VIEWER)
    url = reverse("customer-list", kwargs={"salon_id": salon.pk})
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert other.get(url).status_code == 200
