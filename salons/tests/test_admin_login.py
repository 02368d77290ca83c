"""The admin login form is throttled like the token endpoint: per client IP and per username."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings

from salons.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "admin_login": "3/min"}


@pytest.fixture(autouse=True)
def _three_per_minute(monkeypatch):
    # SimpleRateThrottle reads its rates from a class attribute bound when DRF settings load.
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", RATES)


def _login(email, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("admin:login"), {"username": email, "password": password})
    return client, response


def _errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors()) if response.context else []


def test_fourth_attempt_from_one_ip_is_refused_even_with_the_right_password():
    user = UserFactory(email="owner@example.com", is_staff=True)
    for n in range(3):
        _client, response = _login(f"guess{n}@example.com", "wrong")
        assert response.status_code == 200 and "Too many" not in " ".join(_errors(response))
    client, response = _login(user.email, "pw-Chairside-123")
    assert response.status_code == 200
    assert any("Too many login attempts" in e for e in _errors(response))
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    client, response = _login(user.email, "pw-Chairside-123", ip="10.0.0.2")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_one_username_is_limited_across_addresses():
    user = UserFactory(email="target@example.com", is_staff=True)
    for n in range(3):
        _login("Target@Example.com", "wrong", ip=f"10.0.1.{n}")
    client, response = _login(user.email, "pw-Chairside-123", ip="10.0.1.99")
    assert any("Too many login attempts" in e for e in _errors(response))
    assert "_auth_user_id" not in client.session


def test_a_normal_login_still_works():
    user = UserFactory(email="fine@example.com", is_staff=True)
    client, response = _login(user.email, "pw-Chairside-123")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
