"""`manage.py demo_data` is idempotent and gives working logins."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from salons.management.commands.demo_data import ADMIN_EMAIL, DEMO_PASSWORD
from salons.models import Membership, Role, Salon, User

pytestmark = pytest.mark.django_db


def test_demo_data_twice_creates_each_thing_once_and_prints_the_logins():
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    call_command("demo_data", stdout=out)

    aurora = Salon.objects.get(phone_number_id="106540352242922")
    assert (aurora.name, aurora.timezone, aurora.currency, aurora.waba_id) == (
        "Studio Aurora",
        "Europe/Berlin",
        "EUR",
        "102290129340398",
    )
    assert Salon.objects.get(slug="salao-lisboa").timezone == "Europe/Lisbon"
    assert Salon.objects.filter(slug__in=["studio-aurora", "salao-lisboa"]).count() == 2
    owners = Membership.all_salons.filter(salon__slug__in=["studio-aurora", "salao-lisboa"], role=Role.OWNER)
    assert owners.count() == 2
    assert all(m.user.is_staff and not m.user.is_superuser for m in owners)

    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_superuser
    assert authenticate(email=ADMIN_EMAIL, password=DEMO_PASSWORD) == admin
    assert f"{ADMIN_EMAIL} / {DEMO_PASSWORD}" in out.getvalue()
    assert "owner@studio-aurora.local" in out.getvalue()
