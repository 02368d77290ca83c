"""Customers API: E.164 phones, duplicates, search, filters, pagination, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from salons.models import Customer, Role
from salons.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(salon, member_client):
    return member_client(salon, Role.STAFF)


def _list(salon):
    return reverse("customer-list", kwargs={"salon_id": salon.pk})


def _detail(customer):
    return reverse("customer-detail", kwargs={"salon_id": customer.salon_id, "pk": customer.pk})


def test_create_normalises_the_phone_to_e164_and_ignores_a_salon_in_the_body(salon, other_salon, staff):
    body = {"phone": "+49 (151) 2345-6789", "name": "Lena", "language": "de", "salon": str(other_salon.pk)}
    response = staff.post(_list(salon), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "+4915123456789"
    customer = Customer.all_salons.get(pk=response.json()["id"])
    assert customer.salon_id == salon.pk and customer.phone == "+4915123456789"


@pytest.mark.parametrize("phone", ["12", "not a phone", "+49 151", ""])
def test_invalid_phone_is_400_with_the_field(salon, staff, phone):
    response = staff.post(_list(salon), {"phone": phone}, format="json")
    assert response.status_code == 400
    assert "phone" in response.json()
    assert Customer.all_salons.count() == 0


def test_duplicate_phone_in_the_same_salon_is_409_but_fine_in_another(salon, other_salon, staff):
    CustomerFactory(salon=salon, phone="+4915123456789")
    CustomerFactory(salon=other_salon, phone="+4915100000001")
    response = staff.post(_list(salon), {"phone": "004915123456789"[2:]}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_customer"
    assert staff.post(_list(salon), {"phone": "+4915100000001"}, format="json").status_code == 201


def test_patch_renormalises_and_refuses_a_taken_phone(salon, staff):
    taken = CustomerFactory(salon=salon, phone="+4915123456789")
    customer = CustomerFactory(salon=salon, phone="+4915100000002")
    response = staff.patch(_detail(customer), {"phone": taken.phone}, format="json")
    assert response.status_code == 409
    response = staff.patch(_detail(customer), {"phone": "+49 151 0000 0003", "name": "Neu"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.phone, customer.name) == ("+4915100000003", "Neu")


def test_delete(salon, staff):
    customer = CustomerFactory(salon=salon)
    assert staff.delete(_detail(customer)).status_code == 204
    assert not Customer.all_salons.filter(pk=customer.pk).exists()


def test_search_by_name_or_phone_digits(salon, staff):
    lena = CustomerFactory(salon=salon, name="Lena Vogel", phone="+4915123456789")
    CustomerFactory(salon=salon, name="Marta Silva", phone="+351912345678")
    ids = lambda q: [c["id"] for c in staff.get(_list(salon), {"search": q}).json()["results"]]  # noqa: E731
    assert ids("vogel") == [lena.pk]
    assert ids("+49 151 234") == [lena.pk]
    assert ids("nobody") == []


def test_filters_language_opted_out_and_created_range(salon, staff):
    old = CustomerFactory(salon=salon, language="pt")
    Customer.all_salons.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    out = CustomerFactory(salon=salon, language="de", opted_out_at=timezone.now())
    fresh = CustomerFactory(salon=salon, language="de")
    ids = lambda **q: {c["id"] for c in staff.get(_list(salon), q).json()["results"]}  # noqa: E731
    assert ids(language="de") == {out.pk, fresh.pk}
    assert ids(opted_out="true") == {out.pk}
    assert ids(opted_out="false") == {old.pk, fresh.pk}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(created_after=since) == {out.pk, fresh.pk}
    assert ids(created_before=since) == {old.pk}


def test_pagination(salon, staff):
    CustomerFactory.create_batch(7, salon=salon)
    page = staff.get(_list(salon), {"page_size": 5}).json()
    assert page["count"] == 7 and len(page["results"]) == 5 and page["next"]
    assert len(staff.get(page["next"]).json()["results"]) == 2


def test_list_costs_the_same_queries_for_5_or_50_rows(salon, staff, django_assert_max_num_queries):
    CustomerFactory.create_batch(5, salon=salon)
    with django_assert_max_num_queries(8) as small:
        staff.get(_list(salon))
    CustomerFactory.create_batch(45, salon=salon)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(staff.get(_list(salon)).json()["results"]) == 50
