"""My salons and the salon settings API: managers edit settings, owners the channel; the token never comes back."""

import pytest
from django.urls import reverse

from salons.models import Role, Salon
from salons.tests.factories import MembershipFactory, SalonFactory

pytestmark = pytest.mark.django_db


def _detail(salon):
    return reverse("salon-detail", kwargs={"salon_id": salon.pk})


def test_my_salons_lists_each_salon_with_my_role(salon, other_salon, make_member, member_client):
    from salons.tests.conftest import bearer

    user = make_member(salon, Role.STAFF)
    MembershipFactory(salon=other_salon, user=user, role=Role.OWNER)
    SalonFactory()  # not mine
    response = bearer(user).get(reverse("salon-list"))
    assert {(s["id"], s["role"]) for s in response.json()} == {(str(salon.pk), "staff"), (str(other_salon.pk), "owner")}


def test_detail_has_settings_but_no_token(salon, member_client):
    response = member_client(salon, Role.VIEWER).get(_detail(salon))
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Europe/Berlin" and body["has_access_token"] is True
    assert not any("token" in key and key != "has_access_token" for key in body)
    assert Salon.objects.get(pk=salon.pk).whatsapp_access_token.reveal() not in response.content.decode()


def test_manager_edits_settings_and_gets_400_for_a_bad_time_zone(salon, member_client):
    client = member_client(salon, Role.MANAGER)
    response = client.patch(_detail(salon), {"name": "Studio Neu", "timezone": "Europe/Lisbon"}, format="json")
    assert response.status_code == 200
    salon.refresh_from_db()
    assert (salon.name, salon.timezone) == ("Studio Neu", "Europe/Lisbon")
    bad = client.patch(_detail(salon), {"timezone": "Mars/Olympus", "currency": "XXQ"}, format="json")
    assert bad.status_code == 400 and {"timezone", "currency"} <= bad.json().keys()


def test_owner_replaces_the_access_token_write_only(salon, member_client):
    client = member_client(salon, Role.OWNER)
    response = client.patch(_detail(salon), {"access_token": "EAAG-brand-new"}, format="json")
    assert response.status_code == 200
    assert "EAAG-brand-new" not in response.content.decode()
    assert Salon.objects.get(pk=salon.pk).whatsapp_access_token.reveal() == "EAAG-brand-new"


def test_manager_cannot_touch_the_channel(salon, member_client):
    client = member_client(salon, Role.MANAGER)
    for body in ({"access_token": "EAAG-evil"}, {"phone_number_id": "123"}, {"name": "x", "waba_id": "1"}):
        assert client.patch(_detail(salon), body, format="json").status_code == 403
    fresh = Salon.objects.get(pk=salon.pk)
    assert fresh.whatsapp_access_token.reveal() != "EAAG-evil" and fresh.name != "x"


def test_phone_number_id_taken_by_another_salon_is_400(salon, other_salon, member_client):
    response = member_client(salon, Role.OWNER).patch(
        _detail(salon), {"phone_number_id": other_salon.phone_number_id}, format="json"
    )
    assert response.status_code == 400


def test_put_is_not_allowed(salon, member_client):
    assert member_client(salon, Role.OWNER).put(_detail(salon), {}, format="json").status_code == 405
