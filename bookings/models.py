"""Services, staff and their schedules, bookings (no overlap, enforced by PostgreSQL), the audit log and reminders."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from localization import weekday_label
from salons.base_models import Timestamped, text_choices
from salons.tenancy import TenantModel
from salons.tenancy.scope import current_salon_or_none, salon_wall_clock

# Human-friendly booking codes: no 0/O, 1/I/L (read aloud, typed from a phone screen).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def generate_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Service(TenantModel, Timestamped):
    """Something a salon sells by the appointment: a haircut, a colour, a manicure."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=60, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(12 * 60)])
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0, help_text="Preparation before the client.")
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0, help_text="Cleanup after the client.")
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217; the salon's currency when left empty.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="service_unique_salon_name"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="service_duration_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_not_negative"),
        ]
        indexes = [models.Index(fields=["salon", "is_active", "name"], name="service_salon_active_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.currency:
            salon = current_salon_or_none() if self.salon_id is None else self.salon
            self.currency = salon.currency if salon is not None else ""
        super().save(*args, **kwargs)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


class StaffMember(TenantModel):
    """A person who performs services; may be linked to a login (``user``)."""

    name = models.CharField(max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_profiles"
    )
    services = models.ManyToManyField(Service, through="StaffService", related_name="staff_members", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "user"], condition=Q(user__isnull=False), name="staff_unique_salon_user"
            ),
        ]
        indexes = [models.Index(fields=["salon", "is_active", "name"], name="staff_salon_active_name")]

    def __str__(self) -> str:
        return self.name


class StaffService(TenantModel):
    """A staff member performs a service, optionally with their own duration or price."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="staff_services")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="staff_services")
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(12 * 60)]
    )
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["salon", "staff", "service"], name="staffservice_unique"),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                name="staffservice_duration_positive",
            ),
        ]
        indexes = [models.Index(fields=["salon", "service"], name="staffservice_salon_service")]

    def __str__(self) -> str:
        return f"{self.staff_id} · {self.service_id}"

    def effective_duration_minutes(self, service: Service | None = None) -> int:
        return self.duration_minutes or (service or self.service).duration_minutes

    def effective_price(self, service: Service | None = None) -> Decimal:
        return self.price if self.price is not None else (service or self.service).price


class Weekday(models.IntegerChoices):
    """0 = Monday, as ``date.weekday()``; the labels are CLDR's names in the language active when shown."""

    MONDAY = 0, weekday_label(0)
    TUESDAY = 1, weekday_label(1)
    WEDNESDAY = 2, weekday_label(2)
    THURSDAY = 3, weekday_label(3)
    FRIDAY = 4, weekday_label(4)
    SATURDAY = 5, weekday_label(5)
    SUNDAY = 6, weekday_label(6)


class WorkingHours(TenantModel):
    """One working range of a staff member on a weekday, in the salon's local time. Breaks are the gaps."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="workinghours_start_before_end"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="workinghours_weekday_valid"),
        ]
        indexes = [models.Index(fields=["salon", "staff", "weekday"], name="workinghours_salon_staff_day")]

    def __str__(self) -> str:
        return f"{Weekday(self.weekday).label} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(TenantModel):
    """Unavailable time: a staff member's (holiday, sick day) or, with no staff, the whole salon's (closure)."""

    staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="timeoff_start_before_end"),
        ]
        indexes = [models.Index(fields=["salon", "ends_at", "starts_at"], name="timeoff_salon_ends")]

    def __str__(self) -> str:
        starts, ends = salon_wall_clock(self, self.starts_at), salon_wall_clock(self, self.ends_at)
        return f"{self.reason or 'Time off'} ({starts:%Y-%m-%d %H:%M}–{ends:%Y-%m-%d %H:%M})"


BookingStatus = text_choices("BookingStatus", "pending confirmed completed cancelled no_show", NO_SHOW="No-show")

# Statuses that hold the chair: the exclusion constraint and availability only consider these.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.PENDING: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW}
    ),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW}),
    BookingStatus.COMPLETED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
}


BookingSource = text_choices("BookingSource", "whatsapp assistant api admin", WHATSAPP="WhatsApp", API="API")


class Booking(TenantModel, Timestamped):
    """An appointment. ``busy_range`` (with the service's buffers) never overlaps another active one of that staff."""

    code = models.CharField(max_length=12, default=generate_booking_code, editable=False)
    customer = models.ForeignKey("salons.Customer", on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    busy_range = DateTimeRangeField(help_text="[starts_at - buffer before, ends_at + buffer after)")
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    source = models.CharField(max_length=16, choices=BookingSource.choices)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    notes = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "code"], name="booking_unique_salon_code"),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            models.CheckConstraint(condition=Q(source__in=BookingSource.values), name="booking_source_valid"),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="booking_start_before_end"),
            ExclusionConstraint(
                name="booking_no_overlap",
                index_type="GIST",
                expressions=[
                    ("salon", RangeOperators.EQUAL),
                    ("staff", RangeOperators.EQUAL),
                    ("busy_range", RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                violation_error_message="This staff member is already booked at that time.",
            ),
        ]
        indexes = [
            models.Index(fields=["salon", "starts_at"], name="booking_salon_starts"),
            models.Index(fields=["salon", "status", "starts_at"], name="booking_salon_status_starts"),
            models.Index(fields=["salon", "customer", "starts_at"], name="booking_salon_customer_starts"),
            models.Index(fields=["salon", "staff", "starts_at"], name="booking_salon_staff_starts"),
            models.Index(fields=["salon", "updated_at"], name="booking_salon_updated"),  # daily stats rollups
        ]

    def __str__(self) -> str:
        return f"{self.code} · {salon_wall_clock(self, self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def can_transition_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS[BookingStatus(self.status)]

    def snapshot(self) -> dict:
        """The fields the audit log records before/after a change."""
        return {
            "status": self.status,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "staff_id": self.staff_id,
            "service_id": self.service_id,
            "price": str(self.price) if self.price is not None else None,
        }


BookingEventKind = text_choices(
    "BookingEventKind", "created rescheduled cancelled confirmed completed no_show", NO_SHOW="No-show"
)


class BookingEvent(TenantModel):
    """Audit log of a booking: what happened, who did it, and the booking before and after."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=BookingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True, help_text="Who, when not a person (API key, assistant).")
    source = models.CharField(max_length=16, blank=True, help_text="Channel of the change (whatsapp, api, admin…).")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=BookingEventKind.values), name="bookingevent_kind_valid"),
        ]
        indexes = [models.Index(fields=["salon", "booking", "created_at"], name="bookingevent_salon_booking")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.booking_id}"


ReminderStatus = text_choices("ReminderStatus", "pending sent skipped cancelled failed")


class Reminder(TenantModel, Timestamped):
    """A reminder for one start time of a booking, ``offset_minutes`` before it; sent at most once."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    offset_minutes = models.PositiveIntegerField()
    starts_at = models.DateTimeField(help_text="The booking's start time this reminder is for (a snapshot).")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="Why it was skipped or failed.")

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "booking", "offset_minutes", "starts_at"], name="reminder_unique_per_start"
            ),
            models.CheckConstraint(condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"),
        ]
        indexes = [
            # The sender's cross-salon sweep: pending rows by due time (partial, so it stays small).
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="reminder_pending_due"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.offset_minutes} min before {salon_wall_clock(self, self.starts_at):%Y-%m-%d %H:%M} ({self.status})"
        )
