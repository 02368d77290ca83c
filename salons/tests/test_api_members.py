"""Members API (owners): invite by email (see test_invitations), change role, remove; a salon always keeps an owner."""

import pytest
from django.urls import reverse

from salons.models import Invitation, Membership, Role
from salons.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_api(salon, owner):
    from salons.tests.conftest import bearer

    return bearer(owner)


def _list(salon):
    return reverse("member-list", kwargs={"salon_id": salon.pk})


def _detail(membership):
    return reverse("member-detail", kwargs={"salon_id": membership.salon_id, "pk": membership.pk})


def test_adding_an_existing_member_again_is_409(salon, owner_api):
    member = MembershipFactory(salon=salon, role=Role.STAFF)
    again = owner_api.post(_list(salon), {"email": member.user.email.upper(), "role": "staff"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_member"
    assert not Invitation.all_salons.exists()


def test_list_and_change_role(salon, owner_api):
    member = MembershipFactory(salon=salon, role=Role.STAFF)
    listed = owner_api.get(_list(salon)).json()["results"]
    assert {m["id"] for m in listed} == set(Membership.all_salons.filter(salon=salon).values_list("pk", flat=True))
    assert owner_api.patch(_detail(member), {"role": "manager"}, format="json").json()["role"] == "manager"
    assert owner_api.patch(_detail(member), {"role": "boss"}, format="json").status_code == 400


def test_the_last_owner_cannot_be_demoted_or_removed(salon, owner, owner_api):
    mine = Membership.all_salons.get(salon=salon, user=owner)
    assert owner_api.patch(_detail(mine), {"role": "manager"}, format="json").status_code == 409
    assert owner_api.delete(_detail(mine)).status_code == 409
    assert Membership.all_salons.get(pk=mine.pk).role == Role.OWNER
    second = MembershipFactory(salon=salon, role=Role.OWNER)
    assert owner_api.delete(_detail(second)).status_code == 204
    MembershipFactory(salon=salon, role=Role.OWNER)
    assert owner_api.patch(_detail(mine), {"role": "staff"}, format="json").status_code == 200


def test_removed_member_loses_access(salon, owner_api, make_member):
    from salons.tests.conftest import bearer

    user = make_member(salon, Role.STAFF)
    client = bearer(user)
    assert client.get(reverse("salon-detail", kwargs={"salon_id": salon.pk})).status_code == 200
    owner_api.delete(_detail(Membership.all_salons.get(user=user)))
    assert client.get(reverse("salon-detail", kwargs={"salon_id": salon.pk})).status_code == 404
