"""Customers known by business-scoped user ID and username: the database's rules, the API and the admin."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from salons.models import Customer, Role
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
BSUID = "DE.30712045919283746501"


def bsuid_customer(salon, **extra):
    with salon_scope(salon):
        return CustomerFactory(salon=salon, phone="", wa_id="", bsuid=BSUID, username="mia.locken", name="", **extra)


def test_a_customer_needs_an_identity_and_a_bsuid_is_unique_per_salon(salon, other_salon):
    bsuid_customer(salon)
    bsuid_customer(other_salon)  # another salon: another customer
    with salon_scope(salon), pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(salon=salon, phone="", wa_id="", bsuid=BSUID)
    with salon_scope(salon), pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(salon=salon, phone="", wa_id="", bsuid="")
    with salon_scope(salon):  # many phone-less customers: an empty phone is nobody's
        CustomerFactory(salon=salon, phone="", wa_id="", bsuid="US.1")
    assert Customer.all_salons.filter(salon=salon, phone="").count() == 2


def test_the_api_shows_bsuid_and_username_and_searches_the_username(salon, member_client):
    customer = bsuid_customer(salon)
    with salon_scope(salon):
        CustomerFactory(salon=salon, name="Lena")
    client = member_client(salon, Role.STAFF)
    url = reverse("customer-list", kwargs={"salon_id": salon.pk})
    [found] = client.get(url, {"search": "@mia"}).json()["results"]
    assert (found["id"], found["bsuid"], found["username"], found["phone"]) == (customer.pk, BSUID, "mia.locken", "")


def test_the_api_adds_customers_by_phone_only(salon, member_client):
    client = member_client(salon, Role.STAFF)
    url = reverse("customer-list", kwargs={"salon_id": salon.pk})
    response = client.post(url, {"name": "No phone", "bsuid": BSUID}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    assert not Customer.all_salons.exists()


def test_the_admin_lists_the_username_and_edits_a_bsuid_only_customer(salon, make_member):
    customer = bsuid_customer(salon)
    client = Client()
    client.force_login(make_member(salon, Role.STAFF))
    listing = client.get(reverse("admin:salons_customer_changelist"))
    assert b"mia.locken" in listing.content
    url = reverse("admin:salons_customer_change", args=[customer.pk])
    assert BSUID.encode() in client.get(url).content
    response = client.post(url, {"phone": "", "name": "Mia"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.bsuid, customer.phone) == ("Mia", BSUID, "")
