"""Joining a salon is an invitation: ``POST members/`` emails a single-use link, the membership starts when the invited
person accepts (API or the link's page), and nothing about people outside the salon is revealed or created before."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from salons.models import Invitation, Membership, Role
from salons.services import invitation_create
from salons.tests.conftest import bearer
from salons.tests.factories import InvitationFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
ACCEPT = "/api/v1/invitations/accept/"


def _members(salon):
    return reverse("member-list", kwargs={"salon_id": salon.pk})


def _invite(client, salon, email, role="staff", capture=None):
    if capture is None:
        return client.post(_members(salon), {"email": email, "role": role}, format="json")
    with capture(execute=True):
        return client.post(_members(salon), {"email": email, "role": role}, format="json")


def _token_from(mail) -> str:
    link = next(line for line in mail.body.splitlines() if "/invitations/" in line)
    return link.rstrip("/").rsplit("/", 1)[1]


def test_inviting_another_salons_user_reveals_nothing_and_adds_nobody(
    salon, owner, mailoutbox, django_capture_on_commit_callbacks
):
    stranger = MembershipFactory(salon=SalonFactory(), user=UserFactory(email="eva@other.test", full_name="Eva Secret"))
    known = _invite(bearer(owner), salon, "eva@other.test", capture=django_capture_on_commit_callbacks)
    unknown = _invite(bearer(owner), salon, "nobody@nowhere.test", capture=django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 201
    strip = lambda body: {k: v for k, v in body.items() if k not in {"id", "email", "created_at", "expires_at"}}  # noqa: E731
    assert (
        strip(known.json())
        == strip(unknown.json())
        == {
            "role": "staff",
            "status": "pending",
            "invited_by": owner.email,
            "accepted_at": None,
            "revoked_at": None,
        }
    )
    assert "Eva Secret" not in known.content.decode() and "user_id" not in known.json()
    # Nobody became a member, no account was created, nobody got admin access.
    assert not Membership.all_salons.filter(salon=salon, user=stranger.user).exists()
    assert not User.objects.filter(email="nobody@nowhere.test").exists()
    stranger.user.refresh_from_db()
    assert [m.to for m in mailoutbox] == [["eva@other.test"], ["nobody@nowhere.test"]]
    # The token is only in the email, never in the API's answer.
    assert _token_from(mailoutbox[0]) not in known.content.decode()


def test_a_new_person_accepts_with_a_password_and_the_link_works_once(
    salon, owner, mailoutbox, django_capture_on_commit_callbacks, api_client
):
    _invite(bearer(owner), salon, "New.Person@Example.com", role="manager", capture=django_capture_on_commit_callbacks)
    token = _token_from(mailoutbox[0])
    assert api_client.post(ACCEPT, {"token": token}, format="json").json() == {
        "password": ["Choose a password for your new account."],
        "code": "invalid",
    }
    weak = api_client.post(ACCEPT, {"token": token, "password": "123"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()
    assert not User.objects.filter(email="new.person@example.com").exists()

    accepted = api_client.post(
        ACCEPT, {"token": token, "password": "pw-Lena-Chairside-9", "full_name": "Lena"}, format="json"
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["salon"]["id"] == str(salon.pk) and accepted.json()["salon"]["role"] == "manager"
    user = User.objects.get(email="new.person@example.com")
    assert user.is_staff and user.check_password("pw-Lena-Chairside-9") and user.full_name == "Lena"
    assert Membership.all_salons.get(salon=salon, user=user).role == Role.MANAGER
    invitation = Invitation.all_salons.get()
    assert invitation.status == "accepted" and invitation.accepted_by == user

    again = api_client.post(ACCEPT, {"token": token, "password": "pw-Other-Chairside-9"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_invitation"
    assert (
        api_client.post("/api/v1/auth/token/", {"email": user.email, "password": "pw-Lena-Chairside-9"}).status_code
        == 200
    )


def test_an_existing_account_must_be_logged_in_to_accept(salon, api_client):
    person = UserFactory(email="eva@example.com", is_staff=False)
    invitation = InvitationFactory(salon=salon, email="eva@example.com", role=Role.VIEWER)
    refused = api_client.post(ACCEPT, {"token": invitation.raw_token, "password": "pw-Takeover-123"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "login_required"
    other = bearer(UserFactory())
    assert other.post(ACCEPT, {"token": invitation.raw_token}, format="json").status_code == 403
    person.refresh_from_db()
    assert not person.is_staff and person.check_password("pw-Chairside-123")
    assert not Membership.all_salons.filter(salon=salon).exists()

    accepted = bearer(person).post(ACCEPT, {"token": invitation.raw_token}, format="json")
    assert accepted.status_code == 201
    person.refresh_from_db()
    assert person.is_staff and person.check_password("pw-Chairside-123")
    assert Membership.all_salons.get(salon=salon, user=person).role == Role.VIEWER


def test_expired_revoked_and_unknown_tokens_give_the_same_answer(salon, owner, api_client):
    expired = InvitationFactory(salon=salon, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = InvitationFactory(salon=salon)
    url = reverse("invitation-detail", kwargs={"salon_id": salon.pk, "pk": revoked.pk})
    assert bearer(owner).delete(url).status_code == 204
    answers = []
    for token in (expired.raw_token, revoked.raw_token, "not-a-token"):
        response = api_client.post(ACCEPT, {"token": token, "password": "pw-Lena-Chairside-9"}, format="json")
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 400
    assert not User.objects.filter(email__in=[expired.email, revoked.email]).exists()


def test_a_new_invitation_replaces_the_open_one(salon, owner, mailoutbox, django_capture_on_commit_callbacks):
    client = bearer(owner)
    _invite(client, salon, "twice@example.com", capture=django_capture_on_commit_callbacks)
    _invite(client, salon, "twice@example.com", role="manager", capture=django_capture_on_commit_callbacks)
    first, second = Invitation.all_salons.order_by("created_at")
    assert first.status == "revoked" and second.status == "pending"
    listed = client.get(reverse("invitation-list", kwargs={"salon_id": salon.pk})).json()["results"]
    assert [(i["email"], i["status"]) for i in listed] == [
        ("twice@example.com", "pending"),
        ("twice@example.com", "revoked"),
    ]
    assert (
        Client()
        .post(ACCEPT, {"token": _token_from(mailoutbox[0]), "password": "x"}, content_type="application/json")
        .status_code
        == 400
    )


def test_the_link_page_creates_the_account_and_logs_in(salon):
    invitation = InvitationFactory(salon=salon, email="page@example.com")
    client = Client()
    url = reverse("invitation-accept-page", kwargs={"token": invitation.raw_token})
    page = client.get(url)
    assert page.status_code == 200 and salon.name in page.content.decode()
    mismatch = client.post(url, {"full_name": "Pia", "password1": "pw-Pia-Chairside-1", "password2": "other"})
    assert mismatch.status_code == 200 and not User.objects.filter(email="page@example.com").exists()
    done = client.post(url, {"full_name": "Pia", "password1": "pw-Pia-Chairside-1", "password2": "pw-Pia-Chairside-1"})
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")
    user = User.objects.get(email="page@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Membership.all_salons.filter(salon=salon, user=user).exists()
    assert client.get(url).status_code == 404


def test_the_link_page_asks_an_existing_account_to_log_in(salon):
    person = UserFactory(email="known@example.com", is_staff=True)
    invitation = InvitationFactory(salon=salon, email="known@example.com")
    url = reverse("invitation-accept-page", kwargs={"token": invitation.raw_token})
    anonymous = Client()
    assert "Log in as known@example.com" in anonymous.get(url).content.decode()
    assert anonymous.post(url).status_code == 200
    assert not Membership.all_salons.filter(salon=salon).exists()
    logged_in = Client()
    logged_in.force_login(person)
    assert logged_in.post(url).status_code == 302
    assert Membership.all_salons.filter(salon=salon, user=person).exists()


def test_the_schema_documents_the_invitation_routes(client):
    spec = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = spec["paths"]
    created = paths["/api/v1/salons/{salon_id}/members/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/InvitationOutput")
    accept = paths["/api/v1/invitations/accept/"]["post"]
    assert {} in accept["security"] and {"201", "400", "403"} <= accept["responses"].keys()
    assert set(paths["/api/v1/salons/{salon_id}/invitations/{id}/"]) == {"get", "delete"}


def test_the_invitation_email_speaks_the_salons_language_and_names_its_time_zone(
    mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-12-01T09:00:00Z", tick=False)
    salon = SalonFactory(language="de", timezone="Europe/Berlin", name="Salon Anna")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invitation_create(salon=salon, email="eva@example.test", role=Role.MANAGER)
    [mail] = mailoutbox
    assert mail.subject == "Tritt Salon Anna auf Chairside bei"
    assert mail.body.startswith("Du wurdest eingeladen, Salon Anna auf Chairside beizutreten (Rolle: Manager).")
    assert invitation.expires_at.isoformat() == "2026-12-08T09:00:00+00:00"
    assert "(der Link funktioniert einmal, bis Di., 8. Dez. 2026, 10:00 MEZ):\n" in mail.body
    assert mail.body.endswith("Wenn du diese E-Mail nicht erwartet hast, ignoriere sie einfach.\n")
    assert _token_from(mail)
