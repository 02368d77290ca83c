"""REST API of a salon's customers."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import filters, serializers

from config.api import FilterBackend
from salons import selectors, services
from salons.models import Customer, normalize_phone
from salons.tenancy.api import ServiceWrites, ServiceWritesViewSet

# --- customers -------------------------------------------------------------------------------------------------


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Name or phone contains"))
    opted_out = django_filters.BooleanFilter(field_name="opted_out_at", lookup_expr="isnull", exclude=True)
    created = django_filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Customer
        fields = ["language", "search", "opted_out", "created"]

    def filter_search(self, queryset, name, value):
        return selectors.customer_search(queryset, value)


# What a client may write about a customer (everything it reads but the id and the timestamps).
EDITABLE_FIELDS = (
    "phone",
    "wa_id",
    "name",
    "language",
    "marketing_consent_at",
    "marketing_consent_withdrawn_at",
    "opted_out_at",
    "notes",
)


class CustomerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", *EDITABLE_FIELDS, "bsuid", "username", "created_at", "updated_at"]
        read_only_fields = fields


class CustomerInputSerializer(serializers.ModelSerializer):
    wa_id = serializers.RegexField(r"^\d{5,20}$", required=False, allow_blank=True)

    class Meta:
        model = Customer
        fields = list(EDITABLE_FIELDS)
        # A customer staff add is reached by phone; WhatsApp users known only by BSUID come in by webhook.
        extra_kwargs = {"phone": {"required": True, "allow_blank": False}}

    def validate_phone(self, value: str) -> str:
        try:
            return normalize_phone(value)
        except Exception as exc:  # django ValidationError -> a field error
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])[0]) from None


class CustomerViewSet(ServiceWritesViewSet):
    """The salon's customers: search by name or phone (`?search=`), filter, page."""

    model = Customer
    serializer_class = CustomerOutputSerializer
    input_serializer_class = CustomerInputSerializer
    writes = ServiceWrites("customer", services.customer_create, services.customer_update, services.customer_delete)
    filter_backends = [FilterBackend, filters.OrderingFilter]
    filterset_class = CustomerFilter
    ordering_fields = ["name", "phone", "created_at"]
    ordering = ["name", "phone"]
