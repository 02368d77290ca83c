"""The admin in the person's language: the header switch (a cookie), else the salons' language, else the browser's;
branded Chairside, without a "View site" link that went to a 404."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from salons.models import Role
from salons.tests.factories import MembershipFactory, SalonFactory

pytestmark = pytest.mark.django_db


def client_of(salon):
    client = Client()
    client.force_login(MembershipFactory(salon=salon, role=Role.OWNER).user)
    return client


def test_a_german_salon_gets_a_german_chairside_admin():
    client = client_of(SalonFactory(language="de"))
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response["Content-Language"] == "de"
    assert "Chairside" in html and "Django administration" not in html and "Django-Administration" not in html
    assert "Abmelden" in html  # Django's own admin strings, translated by Django
    assert "Kalender" in html and "Posteingang" in html  # ours, from localization's catalog
    assert "View site" not in html and "Website anzeigen" not in html


def test_the_header_switch_wins_over_the_salons_language():
    salon = SalonFactory(language="pt")
    client = client_of(salon)
    assert "Agenda" in client.get(reverse("admin:bookings_booking_day")).content.decode()
    response = client.post(reverse("admin:salons_salon_language"), {"language": "es", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Calendario" in client.get(reverse("admin:bookings_booking_day")).content.decode()
    # Not a language we speak, or an outside address: ignored.
    response = client.post(reverse("admin:salons_salon_language"), {"language": "xx", "next": "https://evil.test/"})
    assert response["Location"] == reverse("admin:index") and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_browser_language_when_the_salons_disagree():
    user = MembershipFactory(salon=SalonFactory(language="de"), role=Role.OWNER).user
    MembershipFactory(salon=SalonFactory(language="pt"), role=Role.OWNER, user=user)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    assert client.get(reverse("admin:index"))["Content-Language"] == "es"
