"""REST API of the salon's catalog under /api/v1/salons/<salon_id>/: services, staff and time off."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings import selectors, services
from bookings.api.fields import SalonDateTimeField
from bookings.models import (
    Service,
    StaffMember,
    TimeOff,
    Weekday,
)
from config.api_input import PlausibleIsoDateTimeFilter
from salons.models import Role, User
from salons.tenancy import current_salon_id
from salons.tenancy.api import ScopedPrimaryKeyRelatedField, ServiceWrites, ServiceWritesViewSet


@extend_schema_field(OpenApiTypes.INT)
class MemberUserField(serializers.PrimaryKeyRelatedField):
    """A login of this salon (a member), by id; anybody else does not exist here."""

    def get_queryset(self):
        return User.objects.filter(memberships__salon_id=current_salon_id())


# --- services --------------------------------------------------------------------------------------------------
class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "category",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "price",
            "currency",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "currency", "created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        clash = Service.objects.filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("This salon already has a service with this name.")
        return value


class ServiceViewSet(ServiceWritesViewSet):
    """What the salon sells. Everyone reads; managers write. A service with bookings is deactivated, not deleted."""

    model = Service
    write_role = Role.MANAGER
    serializer_class = ServiceSerializer
    writes = ServiceWrites("service", services.service_create, services.service_update, services.service_delete)
    filterset_fields = ["is_active", "category"]

    def scope_queryset(self, queryset):
        return queryset.order_by("category", "name")


# --- staff -----------------------------------------------------------------------------------------------------
class WorkingHoursSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 = Monday … 6 = Sunday")
    start_time = serializers.TimeField(help_text="Local time of the salon")
    end_time = serializers.TimeField()

    def validate(self, attrs):
        if attrs["start_time"] >= attrs["end_time"]:
            raise serializers.ValidationError({"end_time": "Must be after start_time."})
        return attrs


class StaffServiceInputSerializer(serializers.Serializer):
    service = ScopedPrimaryKeyRelatedField(Service)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=720, required=False, allow_null=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)


class StaffServiceOutputSerializer(serializers.Serializer):
    service = serializers.IntegerField(source="service_id")
    service_name = serializers.CharField(source="service.name")
    duration_minutes = serializers.IntegerField(allow_null=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)


class StaffOutputSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", default=None, allow_null=True, help_text="Null: no login")
    services = StaffServiceOutputSerializer(source="staff_services", many=True)
    working_hours = WorkingHoursSerializer(many=True)

    class Meta:
        model = StaffMember
        fields = ["id", "name", "user", "is_active", "services", "working_hours", "created_at"]


class StaffInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    user = MemberUserField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False, default=True)
    services = StaffServiceInputSerializer(many=True, required=False, help_text="Replaces the whole set when given")
    working_hours = WorkingHoursSerializer(many=True, required=False, help_text="Replaces the week when given")


class StaffUpdateInputSerializer(StaffInputSerializer):
    """PATCH: every field optional, but each item of ``services``/``working_hours`` complete (they replace a set).

    Not validated with ``partial=True``: DRF would make the fields of the nested items optional too.
    """

    name = serializers.CharField(max_length=120, required=False)
    is_active = serializers.BooleanField(required=False)


class StaffViewSet(ServiceWritesViewSet):
    """Staff with the services they do (own duration/price optional) and weekly working hours (salon time)."""

    model = StaffMember
    write_role = Role.MANAGER
    serializer_class = StaffOutputSerializer
    input_serializer_class = StaffInputSerializer
    update_serializer_class = StaffUpdateInputSerializer
    writes = ServiceWrites("staff", services.staff_create, services.staff_update, services.staff_delete)
    filterset_fields = ["is_active"]

    def scope_queryset(self, queryset):
        return selectors.with_staff_details(queryset).order_by("name", "pk")

    def output(self, staff: StaffMember) -> dict:
        # Read back with the services and working hours the list shows.
        return StaffOutputSerializer(self.get_queryset().get(pk=staff.pk)).data


# --- time off --------------------------------------------------------------------------------------------------
class TimeOffOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeOff
        fields = ["id", "staff", "starts_at", "ends_at", "reason", "created_at"]


class TimeOffInputSerializer(serializers.Serializer):
    staff = ScopedPrimaryKeyRelatedField(StaffMember, required=False, allow_null=True, help_text="Empty: whole salon")
    starts_at = SalonDateTimeField()
    ends_at = SalonDateTimeField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TimeOffFilter(django_filters.FilterSet):
    starts_before = PlausibleIsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    ends_after = PlausibleIsoDateTimeFilter(field_name="ends_at", lookup_expr="gt")
    salon_wide = django_filters.BooleanFilter(field_name="staff", lookup_expr="isnull")

    class Meta:
        model = TimeOff
        fields = ["staff", "starts_before", "ends_after", "salon_wide"]


class TimeOffViewSet(ServiceWritesViewSet):
    """Holidays, sick days and closures: a staff member's, or the whole salon's when ``staff`` is empty."""

    model = TimeOff
    write_role = Role.MANAGER
    serializer_class = TimeOffOutputSerializer
    input_serializer_class = TimeOffInputSerializer
    writes = ServiceWrites("time_off", services.time_off_create, services.time_off_update, services.time_off_delete)
    filterset_class = TimeOffFilter

    def scope_queryset(self, queryset):
        return queryset.order_by("starts_at", "pk")
