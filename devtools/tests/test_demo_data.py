"""`manage.py demo_data` is idempotent and gives working logins."""

from __future__ import annotations

import io
import logging

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from devtools.management.commands.demo_data import ADMIN_EMAIL, DEMO_PASSWORD
from messaging.models import Message, MessageType
from salons.models import Membership, Role, Salon, User

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_demo_data_twice_creates_each_thing_once_and_prints_the_logins(caplog):
    out = io.StringIO()
    # Each app's seed commits on its own, as on a first `make run`: a cancellation's template goes out after that
    # commit, so the templates must be installed first (no TemplateNotApproved warnings in the log).
    with caplog.at_level(logging.WARNING, logger="chairside.bookings"):
        call_command("demo_data", stdout=out)
    not_sent = [r for r in caplog.records if r.getMessage() == "booking message not sent"]
    assert not_sent == [], [getattr(r, "error", "") for r in not_sent]
    assert Message.all_salons.filter(type=MessageType.TEMPLATE, template__name="booking_cancelled").exists()
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
