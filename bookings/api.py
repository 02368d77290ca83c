"""REST API of bookings under /api/v1/salons/<salon_id>/: services, staff, time off, availability, bookings.

Thin: input serializers validate shapes, services do the work, output serializers read prefetched rows so that
every list costs a constant number of queries.
"""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from bookings import selectors, services
from bookings.availability import available_slots, distinct_start_times, local_day_bounds
from bookings.errors import BookingConflict
from bookings.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Service,
    StaffMember,
    TimeOff,
    Weekday,
)
from config.api_input import PlausibleDateField, PlausibleDateFilter, PlausibleDateTimeField, PlausibleIsoDateTimeFilter
from salons.models import Customer, Role, User
from salons.tenancy import current_salon, current_salon_id
from salons.tenancy.api import SalonScopedViewSet, ScopedPrimaryKeyRelatedField, request_person


class SalonDateTimeField(PlausibleDateTimeField):
    """An aware date-time; one given without an offset is the salon's wall-clock time (not UTC)."""

    def default_timezone(self):
        return current_salon().tz


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


@extend_schema_view(
    create=extend_schema(request=ServiceSerializer, responses={201: ServiceSerializer}),
    partial_update=extend_schema(request=ServiceSerializer, responses=ServiceSerializer),
    destroy=extend_schema(responses={204: None}),
)
class ServiceViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """What the salon sells. Everyone reads; managers write. A service with bookings is deactivated, not deleted."""

    model = Service
    write_role = Role.MANAGER
    serializer_class = ServiceSerializer
    filterset_fields = ["is_active", "category"]

    def scope_queryset(self, queryset):
        return queryset.order_by("category", "name")

    def create(self, request, salon_id):
        data = ServiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.service_create(salon=self.salon, **data.validated_data)
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        data = ServiceSerializer(self.get_object(), data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        service = services.service_update(service=data.instance, data=dict(data.validated_data))
        return Response(ServiceSerializer(service).data)

    def destroy(self, request, salon_id, pk):
        services.service_delete(service=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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


@extend_schema_view(
    create=extend_schema(request=StaffInputSerializer, responses={201: StaffOutputSerializer}),
    partial_update=extend_schema(request=StaffUpdateInputSerializer, responses=StaffOutputSerializer),
    destroy=extend_schema(responses={204: None}),
)
class StaffViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Staff with the services they do (own duration/price optional) and weekly working hours (salon time)."""

    model = StaffMember
    write_role = Role.MANAGER
    serializer_class = StaffOutputSerializer
    filterset_fields = ["is_active"]

    def scope_queryset(self, queryset):
        return selectors.with_staff_details(queryset).order_by("name", "pk")

    def _out(self, staff: StaffMember) -> dict:
        return StaffOutputSerializer(self.get_queryset().get(pk=staff.pk)).data

    def create(self, request, salon_id):
        data = StaffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff = services.staff_create(salon=self.salon, **data.validated_data)
        return Response(self._out(staff), status=status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        staff = self.get_object()
        data = StaffUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff = services.staff_update(staff=staff, data=dict(data.validated_data))
        return Response(self._out(staff))

    def destroy(self, request, salon_id, pk):
        services.staff_delete(staff=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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


@extend_schema_view(
    create=extend_schema(request=TimeOffInputSerializer, responses={201: TimeOffOutputSerializer}),
    partial_update=extend_schema(request=TimeOffInputSerializer, responses=TimeOffOutputSerializer),
    destroy=extend_schema(responses={204: None}),
)
class TimeOffViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Holidays, sick days and closures: a staff member's, or the whole salon's when ``staff`` is empty."""

    model = TimeOff
    write_role = Role.MANAGER
    serializer_class = TimeOffOutputSerializer
    filterset_class = TimeOffFilter

    def scope_queryset(self, queryset):
        return queryset.order_by("starts_at", "pk")

    def create(self, request, salon_id):
        data = TimeOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        time_off = services.time_off_create(salon=self.salon, **data.validated_data)
        return Response(TimeOffOutputSerializer(time_off).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        data = TimeOffInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        time_off = services.time_off_update(time_off=self.get_object(), data=dict(data.validated_data))
        return Response(TimeOffOutputSerializer(time_off).data)

    def destroy(self, request, salon_id, pk):
        services.time_off_delete(time_off=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- availability ----------------------------------------------------------------------------------------------
class AvailabilityQuerySerializer(serializers.Serializer):
    service = ScopedPrimaryKeyRelatedField(Service, required=False, help_text="Default: every active service")
    staff = ScopedPrimaryKeyRelatedField(StaffMember, required=False, help_text="Default: any qualified staff")
    to = PlausibleDateField(required=False, help_text="Local date, inclusive (default: from + 6 days)")

    MAX_DAYS = 62

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        # "from" is a Python keyword: read it by hand.
        raw_from = data.get("from")
        field = PlausibleDateField(required=False)
        try:
            values["from"] = field.run_validation(raw_from) if raw_from else None
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"from": exc.detail}) from None
        return values

    def validate(self, attrs):
        salon = current_salon()
        today = timezone.now().astimezone(salon.tz).date()
        start = attrs.get("from") or today
        end = attrs.get("to") or start + timedelta(days=6)
        if end < start:
            raise serializers.ValidationError({"to": ["Must not be before from."]})
        if (end - start).days >= self.MAX_DAYS:
            raise serializers.ValidationError({"to": [f"At most {self.MAX_DAYS} days at once."]})
        attrs["from"], attrs["to"] = start, end
        return attrs


class SlotSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    starts_at_local = serializers.CharField(help_text="Wall-clock time of the salon, ISO 8601 with offset")
    staff_id = serializers.IntegerField()
    staff_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Every free qualified staff member")


class AvailabilityViewSet(SalonScopedViewSet):
    """Free start times between two local dates (``from``, ``to``), for a service and a staff member or anyone."""

    model = Service
    serializer_class = SlotSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("service", int),
            OpenApiParameter("staff", int),
            OpenApiParameter("from", date),
            OpenApiParameter("to", date),
        ],
        responses=SlotSerializer(many=True),
    )
    def list(self, request, salon_id):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        wanted = [params["service"]] if params.get("service") else list(Service.objects.filter(is_active=True))
        tz = self.salon.tz
        rows = []
        for service in wanted:
            slots = available_slots(
                salon=self.salon,
                service=service,
                staff=params.get("staff"),
                start_date=params["from"],
                end_date=params["to"],
            )
            staff_by_start: dict = {}
            for slot in slots:
                staff_by_start.setdefault(slot.starts_at, []).append(slot.staff_id)
            for slot in distinct_start_times(slots):
                rows.append(
                    {
                        "service_id": service.pk,
                        "starts_at": slot.starts_at,
                        "ends_at": slot.ends_at,
                        "starts_at_local": slot.starts_at.astimezone(tz).isoformat(),
                        "staff_id": slot.staff_id,
                        "staff_ids": staff_by_start[slot.starts_at],
                    }
                )
        return Response(SlotSerializer(rows, many=True).data)


# --- bookings --------------------------------------------------------------------------------------------------
class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _CustomerBrief(_Named):
    phone = serializers.CharField()


class BookingOutputSerializer(serializers.ModelSerializer):
    customer = _CustomerBrief()
    service = _Named()
    staff = _Named()
    starts_at_local = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "code",
            "customer",
            "service",
            "staff",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "status",
            "source",
            "price",
            "currency",
            "notes",
            "confirmed_at",
            "cancelled_at",
            "cancellation_reason",
            "created_at",
            "updated_at",
        ]

    def get_starts_at_local(self, booking: Booking) -> str:
        return booking.starts_at.astimezone(current_salon().tz).isoformat()


class BookingCreateSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyRelatedField(Customer)
    service = ScopedPrimaryKeyRelatedField(Service)
    staff = ScopedPrimaryKeyRelatedField(
        StaffMember, required=False, allow_null=True, default=None, help_text="Empty: anyone"
    )
    starts_at = SalonDateTimeField(help_text="With an offset, or the salon's local time")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    allow_parallel = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Parallel services: allow overlapping another booking of this customer (otherwise 409)",
    )


class BookingUpdateSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, help_text="Internal notes (the only field changed by PATCH)")


class AlternativeSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    starts_at_local = serializers.CharField(help_text="Wall-clock time of the salon, ISO 8601 with offset")
    staff_id = serializers.IntegerField()


class BookingConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=[BookingConflict.code, "customer_busy"])
    alternatives = AlternativeSlotSerializer(many=True, help_text="Up to three free slots near the requested time")
    bookings = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="customer_busy: codes of the customer's overlapping bookings",
    )


class BookingRescheduleSerializer(serializers.Serializer):
    starts_at = SalonDateTimeField()
    staff = ScopedPrimaryKeyRelatedField(
        StaffMember, required=False, allow_null=True, default=None, help_text="Empty: the same staff member"
    )
    override_policy = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    allow_parallel = serializers.BooleanField(
        required=False, default=False, help_text="Allow overlapping another booking of this customer"
    )


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    override_policy = serializers.BooleanField(
        required=False, default=False, help_text="Cancel inside the cancellation notice (needs a reason)"
    )


class BookingFilter(django_filters.FilterSet):
    date_from = PlausibleDateFilter(method="filter_date_from", label="Local date, inclusive")
    date_to = PlausibleDateFilter(method="filter_date_to", label="Local date, inclusive")
    starts_after = PlausibleIsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = PlausibleIsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    source = django_filters.ChoiceFilter(choices=BookingSource.choices)
    code = django_filters.CharFilter(method="filter_code")

    class Meta:
        model = Booking
        fields = ["staff", "customer", "service", "status", "source", "code"]

    def filter_date_from(self, queryset, name, value):
        start, _end = local_day_bounds(value, value, current_salon().tz)
        return queryset.filter(starts_at__gte=start)

    def filter_date_to(self, queryset, name, value):
        _start, end = local_day_bounds(value, value, current_salon().tz)
        return queryset.filter(starts_at__lt=end)

    def filter_code(self, queryset, name, value):
        return queryset.filter(code="".join(ch for ch in value.upper() if ch.isalnum()))


def _booking_response(booking: Booking, status_code: int = status.HTTP_200_OK) -> Response:
    booking = selectors.booking_queryset().get(pk=booking.pk)
    return Response(BookingOutputSerializer(booking).data, status=status_code)


@extend_schema_view(
    create=extend_schema(
        request=BookingCreateSerializer, responses={201: BookingOutputSerializer, 409: BookingConflictSerializer}
    ),
    partial_update=extend_schema(request=BookingUpdateSerializer, responses=BookingOutputSerializer),
    reschedule=extend_schema(
        request=BookingRescheduleSerializer, responses={200: BookingOutputSerializer, 409: BookingConflictSerializer}
    ),
    cancel=extend_schema(request=BookingCancelSerializer, responses=BookingOutputSerializer),
    confirm=extend_schema(request=None, responses=BookingOutputSerializer),
    complete=extend_schema(request=None, responses=BookingOutputSerializer),
    no_show=extend_schema(request=None, responses=BookingOutputSerializer),
)
class BookingViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Bookings. Create answers 201, or 409 with up to three ``alternatives`` when the time is taken."""

    model = Booking
    serializer_class = BookingOutputSerializer
    filterset_class = BookingFilter

    def scope_queryset(self, queryset):
        if self.action == "list":
            return selectors.booking_list_queryset(queryset).order_by("starts_at", "pk")
        return queryset.select_related("customer", "service", "staff").order_by("starts_at", "pk")

    def create(self, request, salon_id):
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_create(
            salon=self.salon, source=BookingSource.API, created_by=request_person(request), **data.validated_data
        )
        return _booking_response(booking, status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        data = BookingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_update_notes(
            booking=self.get_object(), notes=data.validated_data["notes"], actor=request_person(request)
        )
        return _booking_response(booking)

    @action(detail=True, methods=["post"])
    def reschedule(self, request, salon_id, pk):
        data = BookingRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_reschedule(
            booking=self.get_object(), actor=request.user, source=BookingSource.API, **data.validated_data
        )
        return _booking_response(booking)

    @action(detail=True, methods=["post"])
    def cancel(self, request, salon_id, pk):
        data = BookingCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_cancel(
            booking=self.get_object(), actor=request.user, source=BookingSource.API, **data.validated_data
        )
        return _booking_response(booking)

    @action(detail=True, methods=["post"])
    def confirm(self, request, salon_id, pk):
        booking = services.booking_confirm(booking=self.get_object(), actor=request.user, source=BookingSource.API)
        return _booking_response(booking)

    @action(detail=True, methods=["post"])
    def complete(self, request, salon_id, pk):
        booking = services.booking_complete(booking=self.get_object(), actor=request.user, source=BookingSource.API)
        return _booking_response(booking)

    @action(detail=True, methods=["post"], url_path="no-show", url_name="no-show")
    def no_show(self, request, salon_id, pk):
        booking = services.booking_mark_no_show(booking=self.get_object(), actor=request.user, source=BookingSource.API)
        return _booking_response(booking)


class CustomerBookingViewSet(ListModelMixin, SalonScopedViewSet):
    """A customer's booking history, newest first. Another salon's customer is a 404."""

    model = Booking
    serializer_class = BookingOutputSerializer

    def scope_queryset(self, queryset):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return queryset.none()
        customer = get_object_or_404(Customer.objects.all(), pk=self.kwargs["customer_pk"])
        return selectors.booking_list_queryset(queryset).filter(customer=customer).order_by("-starts_at", "-pk")
