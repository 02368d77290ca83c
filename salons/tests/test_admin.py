"""The admin for salon staff: access through membership, the role matrix, stamped salons, scoped validation."""

import pytest
from django.test import Client
from django.urls import reverse

from salons.models import Customer, Membership, Role, Salon
from salons.tests.factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _add_customer(client, **extra):
    return client.post(reverse("admin:salons_customer_add"), {"phone": "+4915123456789", "name": "Lena", **extra})


@pytest.mark.parametrize(
    ("role", "view", "add_customer", "edit_salon", "set_token"),
    [
        (Role.VIEWER, True, False, False, False),
        (Role.STAFF, True, True, False, False),
        (Role.MANAGER, True, True, True, False),
        (Role.OWNER, True, True, True, True),
    ],
)
def test_admin_follows_the_role_matrix(salon, make_member, role, view, add_customer, edit_salon, set_token):
    client = _admin(make_member(salon, role))
    assert (client.get(reverse("admin:salons_customer_changelist")).status_code == 200) == view
    response = _add_customer(client)
    assert Customer.all_salons.filter(salon=salon).exists() == add_customer, response.status_code
    change = client.get(reverse("admin:salons_salon_change", args=[salon.pk]))
    assert change.status_code == 200
    form = change.context["adminform"].form
    assert ("name" in form.fields) == edit_salon
    assert ("new_access_token" in form.fields) == set_token
    assert ("phone_number_id" in form.fields) == set_token
    api_keys = client.get(reverse("admin:salons_apikey_changelist"))
    assert api_keys.status_code == 200  # everyone may look; only owners change keys


def test_manager_cannot_post_a_new_token(salon, make_member):
    client = _admin(make_member(salon, Role.MANAGER))
    before = Salon.objects.get(pk=salon.pk).whatsapp_access_token
    change = client.get(reverse("admin:salons_salon_change", args=[salon.pk]))
    data = {k: v for k, v in change.context["adminform"].form.initial.items() if v is not None}
    data["reminder_offsets_minutes"] = "1440,120"
    data["name"] = "Managed"
    url = reverse("admin:salons_salon_change", args=[salon.pk])
    response = client.post(url, {**data, "new_access_token": "EAAG-evil"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    fresh = Salon.objects.get(pk=salon.pk)
    assert fresh.name == "Managed" and fresh.whatsapp_access_token == before


def test_staff_adds_a_customer_and_the_salon_is_stamped_and_phone_normalised(salon, make_member):
    response = _add_customer(_admin(make_member(salon, Role.STAFF)), phone="+49 151 2345 6789")
    assert response.status_code == 302
    customer = Customer.all_salons.get()
    assert (customer.salon_id, customer.phone) == (salon.pk, "+4915123456789")


def test_duplicate_phone_in_admin_is_a_form_error_not_a_crash(salon, make_member):
    CustomerFactory(salon=salon, phone="+4915123456789")
    response = _add_customer(_admin(make_member(salon, Role.STAFF)))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Customer.all_salons.count() == 1


def test_staff_edits_own_customer(salon, make_member):
    customer = CustomerFactory(salon=salon)
    url = reverse("admin:salons_customer_change", args=[customer.pk])
    response = _admin(make_member(salon, Role.STAFF)).post(url, {"phone": customer.phone, "name": "Renamed"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Renamed"


def test_member_of_two_salons_picks_the_salon_and_superuser_sees_all(salon, other_salon, make_member):
    user = make_member(salon, Role.STAFF)
    MembershipFactory(salon=other_salon, user=user, role=Role.STAFF)
    client = _admin(user)
    form = client.get(reverse("admin:salons_customer_add")).context["adminform"].form
    assert set(form.fields["salon"].queryset) == {salon, other_salon}
    assert _add_customer(client, salon=str(other_salon.pk)).status_code == 302
    assert Customer.all_salons.get().salon_id == other_salon.pk

    CustomerFactory(salon=salon)
    root = _admin(UserFactory(is_superuser=True))
    shown = root.get(reverse("admin:salons_customer_changelist")).context["cl"].result_list
    assert {c.salon_id for c in shown} == {salon.pk, other_salon.pk}


def test_owner_manages_members_inline(salon, make_member):
    owner = make_member(salon, Role.OWNER)
    staff = make_member(salon, Role.STAFF)
    client = _admin(owner)
    change = client.get(reverse("admin:salons_salon_change", args=[salon.pk]))
    formset = change.context["inline_admin_formsets"][0].formset
    assert {f.instance.user_id for f in formset.forms} == {owner.pk, staff.pk}


def test_non_member_staff_user_sees_nothing(salon):
    client = _admin(UserFactory(is_staff=True))
    assert client.get(reverse("admin:salons_customer_changelist")).status_code == 403
    assert client.get(reverse("admin:salons_salon_changelist")).status_code == 403
    assert Membership.all_salons.count() == 0
