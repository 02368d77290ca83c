"""Operator commands: create_salon, add_member, create_api_key (rotate_encryption_key is in test_secrets)."""

import io

import pytest
from django.core.management import CommandError, call_command

from salons.models import ApiKey, Membership, Role, Salon, User
from salons.tests.factories import SalonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_create_salon_prints_its_id_and_makes_the_owner():
    out = _run(
        "create_salon",
        "Studio Nord",
        "--timezone=Europe/Oslo",
        "--currency=nok",
        "--owner-email=Owner@Nord.test",
        "--owner-password=pw-Long-enough-1",
    )
    salon = Salon.objects.get(pk=out)
    assert (salon.name, salon.slug, salon.timezone, salon.currency) == (
        "Studio Nord",
        "studio-nord",
        "Europe/Oslo",
        "NOK",
    )
    owner = User.objects.get(email="owner@nord.test")
    assert owner.check_password("pw-Long-enough-1") and owner.is_staff
    assert Membership.all_salons.get(salon=salon, user=owner).role == Role.OWNER
    assert Salon.objects.get(pk=_run("create_salon", "Studio Nord")).slug == "studio-nord-2"


def test_create_salon_refuses_a_bad_time_zone():
    with pytest.raises(CommandError, match="timezone"):
        _run("create_salon", "X", "--timezone=Mars/Base")
    assert not Salon.objects.exists()


def test_add_member_by_slug_and_password():
    salon = SalonFactory()
    _run("add_member", f"--salon={salon.slug}", "--email=eva@x.test", "--role=manager", "--password=pw-Eva-12345")
    eva = User.objects.get(email="eva@x.test")
    assert eva.check_password("pw-Eva-12345")
    assert Membership.all_salons.get(salon=salon, user=eva).role == Role.MANAGER
    with pytest.raises(CommandError, match="already a member"):
        _run("add_member", f"--salon={salon.pk}", "--email=eva@x.test", "--role=staff")
    with pytest.raises(CommandError, match="No salon"):
        _run("add_member", "--salon=nope", "--email=eva@x.test", "--role=staff")


def test_add_member_with_password_resets_an_existing_account():
    salon, person = SalonFactory(), UserFactory(email="old@x.test")
    _run("add_member", f"--salon={salon.pk}", "--email=old@x.test", "--role=staff", "--password=pw-New-12345")
    person.refresh_from_db()
    assert person.check_password("pw-New-12345")


def test_create_api_key_prints_the_key_once():
    salon = SalonFactory()
    raw = _run("create_api_key", f"--salon={salon.pk}", "--name=erp", "--scope=write")
    key = ApiKey.all_salons.get(salon=salon)
    assert raw.startswith(f"cs_{key.prefix}_") and key.key_hash == ApiKey.hash_secret(raw) and key.scope == "write"


def test_add_member_invites_or_refuses_to_create_a_passwordless_account(mailoutbox, django_capture_on_commit_callbacks):
    salon = SalonFactory()
    with pytest.raises(CommandError, match="--invite"):
        _run("add_member", f"--salon={salon.pk}", "--email=new@x.test", "--role=staff")
    with django_capture_on_commit_callbacks(execute=True):
        out = _run("add_member", f"--salon={salon.pk}", "--email=new@x.test", "--role=staff", "--invite")
    link = out.splitlines()[-1]
    assert link.startswith("http") and "/invitations/" in link and link in mailoutbox[0].body
    assert not User.objects.filter(email="new@x.test").exists()
    assert not Membership.all_salons.filter(salon=salon).exists()
