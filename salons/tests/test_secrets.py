"""The WhatsApp access token: ciphertext at rest, never in API responses, admin pages or logs; keys rotate."""

import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from config.logging import JsonFormatter
from salons.crypto import Secret
from salons.models import Role, Salon
from salons.tests.factories import SalonFactory

pytestmark = pytest.mark.django_db
TOKEN = "EAAG-very-secret-token-123"


def _raw_token(salon) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT whatsapp_access_token FROM salons_salon WHERE id = %s", [salon.pk])
        return cursor.fetchone()[0]


def test_token_is_ciphertext_in_the_database():
    salon = SalonFactory(whatsapp_access_token=TOKEN)
    raw = _raw_token(salon)
    assert TOKEN not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert Salon.objects.get(pk=salon.pk).whatsapp_access_token.reveal() == TOKEN


def test_secret_never_prints_itself():
    secret = Secret(TOKEN)
    assert TOKEN not in f"{secret} {secret!r} {[secret]} { ({'t': secret}) }"


def test_token_never_appears_in_api_responses_logs_or_sql(salon, make_member, caplog):
    owner = make_member(salon, Role.OWNER, email="owner@example.com")
    caplog.set_level(logging.DEBUG)
    client = APIClient()
    login = client.post(reverse("auth-token"), {"email": owner.email, "password": "pw-Chairside-123"}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    url = reverse("salon-detail", kwargs={"salon_id": salon.pk})
    with CaptureQueriesContext(connection) as queries:
        responses = [
            client.patch(url, {"access_token": TOKEN, "phone_number_id": "555000111"}, format="json"),
            client.patch(url, {"access_token": TOKEN, "timezone": "Nowhere/Never"}, format="json"),  # 400
            client.get(url),
            client.get(reverse("salon-list")),
            client.get(reverse("me")),
        ]
    assert [r.status_code for r in responses] == [200, 400, 200, 200, 200]
    assert Salon.objects.get(pk=salon.pk).whatsapp_access_token.reveal() == TOKEN
    for response in responses:
        assert TOKEN not in response.content.decode()
    assert not any(TOKEN in q["sql"] for q in queries.captured_queries)
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)
    assert "salon updated" in logged  # the update was logged, by field name only
    assert TOKEN not in logged and _raw_token(salon) not in logged


def test_token_never_appears_in_admin_pages(salon, make_member):
    Salon.objects.filter(pk=salon.pk).update(whatsapp_access_token=Secret(TOKEN))
    client = Client()
    client.force_login(make_member(salon, Role.OWNER))
    pages = [
        client.get(reverse("admin:salons_salon_changelist")),
        client.get(reverse("admin:salons_salon_change", args=[salon.pk])),
        client.get(reverse("admin:salons_salon_history", args=[salon.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert TOKEN not in html and _raw_token(salon) not in html
    assert "stored (hidden)" in pages[1].content.decode()


def test_rotate_encryption_key_re_encrypts_with_the_newest_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        salon = SalonFactory(whatsapp_access_token=TOKEN)
        empty = SalonFactory(whatsapp_access_token=None)
    before = _raw_token(salon)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = _raw_token(salon)
    assert after != before and Fernet(new.encode()).decrypt(after.encode()).decode() == TOKEN
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert Salon.objects.get(pk=salon.pk).whatsapp_access_token.reveal() == TOKEN
        assert Salon.objects.get(pk=empty.pk).whatsapp_access_token is None
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]), pytest.raises(InvalidToken):
        Salon.objects.get(pk=salon.pk)
