"""Salon settings with choices, the address's map link, and inviting a person by email with a role."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from salons.backoffice.settings_admin import map_url
from salons.models import Invitation, Role
from salons.tests.factories import MembershipFactory, SalonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def member_client(salon, role):
    client = Client()
    client.force_login(MembershipFactory(salon=salon, role=role).user)
    return client


def test_settings_offer_choices_and_the_map_link():
    salon = SalonFactory(address="Torstraße 1, 10119 Berlin", language="fr")
    html = member_client(salon, Role.OWNER).get(reverse("admin:salons_salon_change", args=[salon.pk])).content.decode()
    assert '<select name="timezone"' in html and '<option value="America/Sao_Paulo">' in html
    assert '<select name="currency"' in html and "EUR · Euro" in html
    assert '<option value="de">Deutsch</option>' in html
    assert '<option value="fr" selected>fr</option>' in html  # a stored value outside the list stays
    assert map_url(salon.address) in html.replace("&amp;", "&")
    assert map_url("Torstraße 1,\n Berlin") == "https://www.openstreetmap.org/search?query=Torstra%C3%9Fe+1%2C+Berlin"


def test_an_owner_invites_a_person_by_email_with_a_role():
    salon = SalonFactory()
    client = member_client(salon, Role.OWNER)
    url = reverse("admin:salons_salon_invite", args=[salon.pk])
    response = client.post(url, {"email": "New.Stylist@Example.com", "role": Role.STAFF})
    assert response.status_code == 302
    invitation = Invitation.all_salons.get(salon=salon)
    assert (invitation.email, invitation.role) == ("new.stylist@example.com", Role.STAFF)
    assert len(mail.outbox) == 1 and "/invitations/" in mail.outbox[0].body
    page = client.get(reverse("admin:salons_salon_change", args=[salon.pk])).content.decode()
    assert "new.stylist@example.com" in page


def test_only_owners_of_that_salon_invite():
    salon, other = SalonFactory(), SalonFactory()
    url = reverse("admin:salons_salon_invite", args=[salon.pk])
    assert member_client(salon, Role.MANAGER).post(url, {"email": "a@b.test", "role": "staff"}).status_code == 403
    assert member_client(other, Role.OWNER).post(url, {"email": "a@b.test", "role": "staff"}).status_code == 404
    assert not Invitation.all_salons.exists()
