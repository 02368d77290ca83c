"""REST API of bookings under /api/v1/salons/<salon_id>/: availability and bookings."""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from bookings import selectors, services
from bookings.api.fields import SalonDateTimeField
from bookings.api.rows import BookingRowsListMixin
from bookings.availability import available_slots, distinct_start_times, local_day_bounds
from bookings.errors import BookingConflict
from bookings.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Service,
    StaffMember,
)
from config.api_input import PlausibleDateField, PlausibleDateFilter, PlausibleIsoDateTimeFilter
from salons.models import Customer
from salons.tenancy import current_salon
from salons.tenancy.api import SalonScopedViewSet, ScopedPrimaryKeyRelatedField, request_person


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
            *selectors.APPOINTMENT_FIELDS,
            "starts_at_local",
            *("status", "source", "price", "currency", "notes"),
            *selectors.OUTCOME_FIELDS,
            *("created_at", "updated_at"),
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
class BookingViewSet(BookingRowsListMixin, ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Bookings. Create answers 201, or 409 with up to three ``alternatives`` when the time is taken."""

    model = Booking
    serializer_class = BookingOutputSerializer
    filterset_class = BookingFilter

    def scope_queryset(self, queryset):
        if self.action == "list":
            return selectors.booking_list_queryset(queryset).order_by("starts_at", "pk")
        return queryset.select_related("customer", "service", "staff").order_by("starts_at", "pk")

    def create(self, request, salon_id):
        data = self.valid_input(BookingCreateSerializer)
        booking = services.booking_create(
            salon=self.salon, source=BookingSource.API, created_by=request_person(request), **data
        )
        return _booking_response(booking, status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        notes = self.valid_input(BookingUpdateSerializer)["notes"]
        booking = services.booking_update_notes(booking=self.get_object(), notes=notes, actor=request_person(request))
        return _booking_response(booking)

    def _change(self, service, input_serializer=None) -> Response:
        """The booking changed by ``service`` for the caller, with what the body says (``input_serializer``)."""
        data = self.valid_input(input_serializer) if input_serializer is not None else {}
        booking = service(booking=self.get_object(), actor=self.request.user, source=BookingSource.API, **data)
        return _booking_response(booking)

    @action(detail=True, methods=["post"])
    def reschedule(self, request, salon_id, pk):
        return self._change(services.booking_reschedule, BookingRescheduleSerializer)

    @action(detail=True, methods=["post"])
    def cancel(self, request, salon_id, pk):
        return self._change(services.booking_cancel, BookingCancelSerializer)

    @action(detail=True, methods=["post"])
    def confirm(self, request, salon_id, pk):
        return self._change(services.booking_confirm)

    @action(detail=True, methods=["post"])
    def complete(self, request, salon_id, pk):
        return self._change(services.booking_complete)

    @action(detail=True, methods=["post"], url_path="no-show", url_name="no-show")
    def no_show(self, request, salon_id, pk):
        return self._change(services.booking_mark_no_show)


class CustomerBookingViewSet(BookingRowsListMixin, ListModelMixin, SalonScopedViewSet):
    """A customer's booking history, newest first. Another salon's customer is a 404."""

    model = Booking
    serializer_class = BookingOutputSerializer

    def scope_queryset(self, queryset):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return queryset.none()
        customer = get_object_or_404(Customer.objects.all(), pk=self.kwargs["customer_pk"])
        return selectors.booking_list_queryset(queryset).filter(customer=customer).order_by("-starts_at", "-pk")
