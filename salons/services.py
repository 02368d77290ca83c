"""Writes of the salons app: salons, members, API keys and customers (keyword-only, one transaction each)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import pgettext

from config.api import Conflict
from localization import format_when, in_language, locale_for, salon_territory
from salons.errors import (
    AlreadyMember,
    DuplicateCustomer,
    InvalidInput,
    InvalidInvitation,
    InvitationNeedsLogin,
    LastOwner,
)
from salons.models import (
    ApiKey,
    ApiKeyScope,
    ChannelStatus,
    Customer,
    Invitation,
    Membership,
    Role,
    Salon,
    User,
    normalize_phone,
)
from salons.tenancy import salon_scope

logger = logging.getLogger("chairside.salons")

# Salon fields an owner may change but a manager may not (the WhatsApp channel and its credentials).
CHANNEL_FIELDS = frozenset({"phone_number_id", "waba_id", "display_phone_number", "access_token"})
# The salon's booking rules, shown and edited together (the API's salon settings, the admin's fieldset).
BOOKING_RULE_FIELDS = (
    "slot_step_minutes",
    "min_notice_minutes",
    "booking_horizon_days",
    "cancellation_notice_hours",
    "reminder_offsets_minutes",
    "quiet_hours_start",
    "quiet_hours_end",
)


# --- salons ----------------------------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "salon"
    slug, n = base, 1
    while Salon.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def salon_create(
    *,
    name: str,
    timezone_name: str = "Europe/Berlin",
    currency: str = "EUR",
    language: str = "en",
    owner_email: str | None = None,
    owner_password: str | None = None,
) -> Salon:
    """A new salon (validated), and its first owner when an email is given."""
    salon = Salon(name=name, slug=_unique_slug(name), timezone=timezone_name, currency=currency, language=language)
    salon.full_clean()
    salon.save()
    if owner_email:
        member_add(salon=salon, email=owner_email, role=Role.OWNER, password=owner_password)
    logger.info("salon created", extra={"salon_id": str(salon.pk)})
    return salon


@transaction.atomic
def salon_update(*, salon: Salon, data: dict[str, Any]) -> Salon:
    """Apply validated settings; ``access_token`` replaces the stored (encrypted) WhatsApp token."""
    token = data.pop("access_token", None)
    for field, value in data.items():
        setattr(salon, field, value)
    changed = list(data)
    if token:
        salon.whatsapp_access_token = token
        changed.append("whatsapp_access_token")
        if salon.phone_number_id:
            salon.channel_status = ChannelStatus.ACTIVE
            changed.append("channel_status")
    if changed:
        salon.save(update_fields=[*changed, "updated_at"])
    # Field names only: never values (the token must not reach the logs).
    logger.info("salon updated", extra={"salon_id": str(salon.pk), "fields": sorted(changed)})
    return salon


# --- members ---------------------------------------------------------------------------------------------------


def _owner_count(salon: Salon) -> int:
    # Lock the salon's owner rows so two concurrent demotions cannot both pass the check.
    return len(list(Membership.all_salons.select_for_update().filter(salon=salon, role=Role.OWNER).values("pk")))


def _normalized_email(email: str) -> str:
    return User.objects.normalize_email(email).strip().lower()


@transaction.atomic
def member_add(*, salon: Salon, email: str, role: str, password: str | None = None, full_name: str = "") -> Membership:
    """Operators only (``create_salon``, ``add_member --password``): give a person (found, or created with
    ``password``, by email) a role in the salon at once; admin access comes with it. The API and the admin invite
    instead (``invitation_create``): the person accepts, and nobody outside the salon is looked up or created."""
    email = _normalized_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name, is_staff=True)
    elif not user.is_staff:
        # An existing person keeps their password: one salon's owner must never set another salon's login.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    already = AlreadyMember(f"{email} is already a member of this salon.", field="email")
    if Membership.all_salons.filter(salon=salon, user=user).exists():
        raise already
    try:
        with salon_scope(salon), transaction.atomic():
            membership = Membership.objects.create(user=user, role=role)
    except IntegrityError:
        raise already
    logger.info("member added", extra={"salon_id": str(salon.pk), "user_id": user.pk, "role": role})
    return membership


@transaction.atomic
def member_change_role(*, membership: Membership, role: str) -> Membership:
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(membership.salon) <= 1:
        raise LastOwner("A salon keeps at least one owner: make someone else owner first.", field="role")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    if membership.role == Role.OWNER and _owner_count(membership.salon) <= 1:
        raise LastOwner("The last owner of a salon cannot be removed.")
    membership.delete()


# --- invitations: how people join a salon through the API and the admin ----------------------------------------


def invitation_accept_url(raw_token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("invitation-accept-page", kwargs={"token": raw_token})


def _invitation_email(invitation: Invitation, raw_token: str) -> tuple[str, str]:
    """Subject and body, in the salon's language, the expiry on the salon's clock with its zone named."""
    salon = invitation.salon
    locale = locale_for(salon.language, salon_territory(salon))
    expires = format_when(invitation.expires_at, locale, salon.tz, with_year=True, with_zone=True)

    def words() -> tuple[str, str]:
        values = {"salon": salon.name, "role": invitation.get_role_display(), "expires": expires}
        subject = pgettext("invitation email subject", "Join %(salon)s on Chairside") % values
        body = (
            pgettext(
                "invitation email body",
                "You have been invited to join %(salon)s on Chairside as %(role)s.\n\n"
                "Accept the invitation (the link works once, until %(expires)s):\n",
            )
            % values
        )
        ignore = pgettext("invitation email body", "If you did not expect this email, ignore it.")
        return subject, f"{body}{invitation_accept_url(raw_token)}\n\n{ignore}\n"

    return in_language(salon.language, words)


def _send_invitation(invitation: Invitation, raw_token: str) -> None:
    subject, body = _invitation_email(invitation, raw_token)
    send_mail(subject, body, None, [invitation.email], fail_silently=False)


@transaction.atomic
def invitation_create(
    *, salon: Salon, email: str, role: str, invited_by: User | None = None, send: bool = True
) -> tuple[Invitation, str]:
    """Invite a person by email; the single-use link is emailed to them after commit. Returns the raw token too
    (for the operator command; the API never shows it). Nothing is looked up or created outside this salon, so the
    answer is the same whether anyone has an account with this email or not. A new invitation replaces an open one.
    """
    email = _normalized_email(email)
    now = timezone.now()
    raw_token = Invitation.generate_token()
    with salon_scope(salon):
        if Membership.objects.filter(user__email__iexact=email).exists():
            raise AlreadyMember(f"{email} is already a member of this salon.", field="email")
        Invitation.objects.filter(email=email, accepted_at=None, revoked_at=None).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            token_hash=Invitation.hash_token(raw_token),
            invited_by=invited_by,
            expires_at=now + timedelta(days=Invitation.TTL_DAYS),
        )
    if send:
        transaction.on_commit(lambda: _send_invitation(invitation, raw_token))
    logger.info("invitation created", extra={"salon_id": str(salon.pk), "invitation_id": invitation.pk, "role": role})
    return invitation, raw_token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """The link stops working (idempotent; an accepted invitation stays accepted)."""
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(raw_token: str, *, lock: bool = False) -> Invitation:
    """The open invitation behind a link. Unknown, used, revoked and expired links give the same error.

    Crosses tenants on purpose (``all_salons``): the token, not a scope, names the salon.
    """
    rows = Invitation.all_salons.select_related("salon")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=Invitation.hash_token(raw_token or "")).first()
    if invitation is None or invitation.status != "pending" or not invitation.salon.is_active:
        raise InvalidInvitation("This invitation link is invalid, was already used or has expired.", field="token")
    return invitation


def invitation_needs_account(invitation: Invitation) -> bool:
    """Whether accepting creates the account (only the invited person, who holds the link, learns this)."""
    return not User.objects.filter(email__iexact=invitation.email).exists()


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, password: str | None = None, full_name: str = ""
) -> Membership:
    """Start the membership. A person who has an account accepts while logged in as it; a new person chooses a
    password here, and the account is created now (never before the invitation is accepted)."""
    invitation = invitation_for_token(token, lock=True)
    account = User.objects.filter(email__iexact=invitation.email).first()
    if account is not None:
        if user is None or user.pk != account.pk:
            raise InvitationNeedsLogin(f"Log in as {invitation.email} to accept this invitation.")
        if not account.is_staff:
            account.is_staff = True
            account.save(update_fields=["is_staff"])
    else:
        if user is not None and user.is_authenticated:
            raise InvitationNeedsLogin(f"This invitation is for {invitation.email}: log out to accept it.")
        if not password:
            raise InvalidInput("Choose a password for your new account.", field="password")
        candidate = User(email=invitation.email, full_name=full_name)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from None
        account = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name[:150], is_staff=True
        )
    with salon_scope(invitation.salon):
        membership = Membership.objects.filter(user=account).first()
        if membership is None:
            membership = Membership.objects.create(user=account, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = account
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    logger.info(
        "invitation accepted",
        extra={"salon_id": str(invitation.salon_id), "invitation_id": invitation.pk, "user_id": account.pk},
    )
    return membership


# --- API keys --------------------------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(
    *, salon: Salon, name: str, scope: str = ApiKeyScope.READ, created_by: User | None = None
) -> tuple[ApiKey, str]:
    """A new key and its raw secret. The secret is returned once and stored only as a hash."""
    prefix, raw_key = ApiKey.generate()
    with salon_scope(salon):
        api_key = ApiKey.objects.create(
            name=name, scope=scope, prefix=prefix, key_hash=ApiKey.hash_secret(raw_key), created_by=created_by
        )
    logger.info("api key created", extra={"salon_id": str(salon.pk), "prefix": prefix, "scope": scope})
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key (idempotent); it authenticates no more."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        logger.info("api key revoked", extra={"salon_id": str(api_key.salon_id), "prefix": api_key.prefix})
    return api_key


# --- customers -------------------------------------------------------------------------------------------------


def _normalized_phone(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="phone") from None


def _save_customer(customer: Customer) -> Customer:
    identities = {f: getattr(customer, f) for f in ("phone", "wa_id", "bsuid") if getattr(customer, f)}
    if not identities:
        raise InvalidInput("Give a phone number.", field="phone")
    clash = Customer.objects.none()
    for field, value in identities.items():  # an empty value is nobody's: never compared
        clash |= Customer.objects.filter(**{field: value})
    if customer.pk:
        clash = clash.exclude(pk=customer.pk)
    if clash.exists():
        raise DuplicateCustomer("This salon already has a customer with this phone number.", field="phone")
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # a concurrent insert of the same phone
        raise DuplicateCustomer("This salon already has a customer with this phone number.", field="phone")
    return customer


@transaction.atomic
def customer_create(*, salon: Salon, phone: str = "", **fields: Any) -> Customer:
    """A customer of the salon in scope; the phone is normalised to E.164 and unique per salon."""
    with salon_scope(salon):
        customer = Customer(phone=_normalized_phone(phone) if phone else "", **fields)
        return _save_customer(customer)


@transaction.atomic
def customer_update(*, customer: Customer, data: dict[str, Any]) -> Customer:
    with salon_scope(customer.salon):
        for field, value in data.items():
            # A phone may be cleared only from a customer WhatsApp knows otherwise (_save_customer checks).
            setattr(customer, field, _normalized_phone(value) if field == "phone" and value else value)
        return _save_customer(customer)


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete a customer; one with bookings (or other protected history) is a 409: their history stays."""
    with salon_scope(customer.salon):
        try:
            with transaction.atomic():
                customer.delete()
        except ProtectedError:
            raise Conflict("This customer has bookings and cannot be deleted; their history is kept.") from None
