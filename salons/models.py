"""The tenant (Salon), people (User, Membership), server-to-server API keys and customers."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
import zoneinfo
from decimal import Decimal

import phonenumbers
import pycountry
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from salons.base_models import Timestamped
from salons.crypto import EncryptedTextField
from salons.tenancy import TenantModel


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (for example Europe/Berlin).")


def validate_currency(value: str) -> None:
    if pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(f"{value!r} is not an ISO 4217 currency code (for example EUR).")


def validate_language(value: str) -> None:
    if pycountry.languages.get(alpha_2=value) is None:
        raise ValidationError(f"{value!r} is not an ISO 639-1 language code (for example en).")


def normalize_phone(value: str, region: str | None = None) -> str:
    """E.164 form of a phone number, or ValidationError. WhatsApp ids are digits without '+'."""
    raw = (value or "").strip()
    if raw and raw[0].isdigit() and region is None:
        raw = "+" + raw
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"{value!r} is not a phone number.") from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(f"{value!r} is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def secret_digest(raw: str) -> str:
    """What is stored of a secret that is shown once (an API key, an invitation token): its SHA-256, in hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in (salon staff, owners, operators). Email is the login."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin (salon members get this).")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email


class ChannelStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", "Not connected"
    ACTIVE = "active", "Active"
    NEEDS_CREDENTIALS = "needs_credentials", "Needs new credentials"


class Salon(Timestamped):
    """The tenant. Its time zone decides how every time is shown; its currency, how money is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(max_length=64, default="Europe/Berlin", validators=[validate_timezone])
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency])
    language = models.CharField(max_length=8, default="en", validators=[validate_language])
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    # Booking policy
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    min_notice_minutes = models.PositiveIntegerField(default=60)
    booking_horizon_days = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(1)])
    cancellation_notice_hours = models.PositiveSmallIntegerField(default=24)
    reminder_offsets_minutes = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    quiet_hours_start = models.TimeField(null=True, blank=True, help_text="No reminders from this local time…")
    quiet_hours_end = models.TimeField(null=True, blank=True, help_text="…until this local time.")

    # WhatsApp channel
    phone_number_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    waba_id = models.CharField(max_length=64, blank=True, db_index=True)
    display_phone_number = models.CharField(max_length=32, blank=True)
    whatsapp_access_token = EncryptedTextField(null=True, blank=True, editable=False)
    channel_status = models.CharField(max_length=32, choices=ChannelStatus.choices, default=ChannelStatus.NOT_CONNECTED)

    # Running totals kept by messaging (money as Decimal in the salon's currency)
    whatsapp_cost_total = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal("0"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel_status__in=ChannelStatus.values), name="salon_channel_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def default_reminder_offsets(self) -> list[int]:
        return self.reminder_offsets_minutes or [24 * 60, 120]


class Role(models.TextChoices):
    OWNER = "owner", pgettext_lazy("a member's role in a salon", "Owner")
    MANAGER = "manager", pgettext_lazy("a member's role in a salon", "Manager")
    STAFF = "staff", pgettext_lazy("a member's role in a salon", "Staff")
    VIEWER = "viewer", pgettext_lazy("a member's role in a salon", "Viewer")


# Higher rank may do everything a lower rank may.
ROLE_RANK = {Role.VIEWER: 0, Role.STAFF: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Membership(TenantModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "user"], name="membership_unique_salon_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class ApiKeyScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class ApiKey(TenantModel):
    """A server-to-server credential. Shown once; stored as a SHA-256 of a 256-bit random secret."""

    PREFIX_LENGTH = 8

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=8, choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(scope__in=ApiKeyScope.values), name="apikey_scope_valid")]
        indexes = [models.Index(fields=["salon", "created_at"], name="apikey_salon_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    hash_secret = staticmethod(secret_digest)

    @staticmethod
    def generate() -> tuple[str, str]:
        """A new (prefix, raw_key); the raw key is ``cs_<prefix>_<secret>``."""
        prefix = secrets.token_hex(ApiKey.PREFIX_LENGTH // 2)
        return prefix, f"cs_{prefix}_{secrets.token_urlsafe(32)}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# A business-scoped user ID: an ISO 3166 country code, a dot, and up to 128 letters/digits (a parent BSUID has
# "ENT." after the country), for example US.13491208655302741918 or US.ENT.11815799212886844830.
BSUID_PATTERN = r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$"
BSUID_MAX_LENGTH = 140


def validate_bsuid(value: str) -> None:
    if value and not re.fullmatch(BSUID_PATTERN, value):
        raise ValidationError(f"{value!r} is not a business-scoped user ID (for example US.13491208655302741918).")


class Customer(TenantModel, Timestamped):
    """A salon's client, known by one or more of: phone (E.164), WhatsApp id, business-scoped user ID (BSUID).

    Since 2026 a WhatsApp user with a username may write without sharing their phone number: such a customer is
    known by their BSUID only (see docs/messaging.md, "How customers are identified").
    """

    phone = models.CharField(max_length=20, blank=True, help_text="E.164, for example +4915112345678")
    wa_id = models.CharField(max_length=20, blank=True, help_text="WhatsApp id (digits)")
    bsuid = models.CharField(
        "business-scoped user ID",
        max_length=BSUID_MAX_LENGTH,
        blank=True,
        validators=[validate_bsuid],
        help_text="WhatsApp's user_id for this business, for example US.13491208655302741918",
    )
    username = models.CharField(max_length=100, blank=True, help_text="WhatsApp username, when the user has one")
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True, validators=[validate_language])
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    marketing_consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True, help_text="Sent STOP: no marketing, no free-form.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "phone"]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "phone"], condition=~Q(phone=""), name="customer_unique_salon_phone"
            ),
            models.UniqueConstraint(
                fields=["salon", "wa_id"], condition=~Q(wa_id=""), name="customer_unique_salon_wa_id"
            ),
            models.UniqueConstraint(
                fields=["salon", "bsuid"], condition=~Q(bsuid=""), name="customer_unique_salon_bsuid"
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(wa_id="") | ~Q(bsuid=""), name="customer_has_an_identity"
            ),
        ]
        indexes = [
            models.Index(fields=["salon", "name"], name="customer_salon_name"),
            models.Index(fields=["salon", "created_at"], name="customer_salon_created"),
        ]

    def __str__(self) -> str:
        return self.name or self.phone or (f"@{self.username}" if self.username else self.bsuid)

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None

    @property
    def handle(self) -> str:
        """How staff recognise the customer where a name is not enough: phone, else @username, else BSUID."""
        return self.phone or (f"@{self.username}" if self.username else self.bsuid)

    def clean(self) -> None:
        if self.phone:
            self.phone = normalize_phone(self.phone)
        if not (self.phone or self.wa_id or self.bsuid):
            raise ValidationError({"phone": "Give a phone number (or a WhatsApp business-scoped user ID)."})


class Invitation(TenantModel):
    """An owner's invitation of a person (by email) to a role in the salon. Membership starts when the person accepts
    through the single-use link that was emailed to them; until then nothing is created for, or revealed about, them.

    Only the token's SHA-256 is stored; the raw token exists in the email alone.
    """

    TTL_DAYS = 7

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            # One open invitation per person and salon (a new one replaces the old).
            models.UniqueConstraint(
                fields=["salon", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_unique_open_salon_email",
            ),
        ]
        indexes = [models.Index(fields=["salon", "created_at"], name="invitation_salon_created")]

    def __str__(self) -> str:
        return f"{self.email} · {self.role}"

    hash_token = staticmethod(secret_digest)

    @staticmethod
    def generate_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
