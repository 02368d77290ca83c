"""Factories for salons, people, API keys and customers. Tenant-owned factories write through ``all_salons``."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from salons.models import ApiKey, ApiKeyScope, Customer, Invitation, Membership, Role, Salon, User


class TenantFactory(DjangoModelFactory):
    """Base for tenant-owned models: creates rows without needing a salon scope."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_salons


class SalonFactory(DjangoModelFactory):
    class Meta:
        model = Salon

    name = factory.Sequence(lambda n: f"Salon {n}")
    slug = factory.Sequence(lambda n: f"salon-{n}")
    timezone = "Europe/Berlin"
    currency = "EUR"
    language = "en"
    phone_number_id = factory.Sequence(lambda n: f"1000000{n:08d}")
    waba_id = factory.Sequence(lambda n: f"2000000{n:08d}")
    display_phone_number = factory.Sequence(lambda n: f"1555{n:07d}")
    whatsapp_access_token = factory.Sequence(lambda n: f"EAAG-test-token-{n}")
    channel_status = "active"
    reminder_offsets_minutes = factory.LazyFunction(lambda: [1440, 120])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-Chairside-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    salon = factory.SubFactory(SalonFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class InvitationFactory(TenantFactory):
    """``InvitationFactory()`` returns an open invitation; its raw token is on ``invitation.raw_token`` (tests only)."""

    class Meta:
        model = Invitation

    salon = factory.SubFactory(SalonFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.STAFF
    raw_token = factory.LazyFunction(Invitation.generate_token)
    token_hash = factory.LazyAttribute(lambda o: Invitation.hash_token(o.raw_token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=Invitation.TTL_DAYS))

    @classmethod
    def _create(cls, model_class, *args, raw_token=None, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.raw_token = raw_token
        return invitation


class ApiKeyFactory(TenantFactory):
    """``ApiKeyFactory()`` returns the key; the raw secret is on ``key.raw_key`` (only in tests)."""

    class Meta:
        model = ApiKey

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"key {n}")
    scope = ApiKeyScope.WRITE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        prefix, raw = ApiKey.generate()
        kwargs.update(prefix=prefix, key_hash=ApiKey.hash_secret(raw))
        obj = super()._create(model_class, *args, **kwargs)
        obj.raw_key = raw
        return obj


class CustomerFactory(TenantFactory):
    class Meta:
        model = Customer

    salon = factory.SubFactory(SalonFactory)
    phone = factory.Sequence(lambda n: f"+49151{n:08d}")
    wa_id = factory.LazyAttribute(lambda o: o.phone.lstrip("+"))
    name = factory.Faker("name")
    language = "en"
