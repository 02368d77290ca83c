"""REST API of messaging: conversations (window state, messages), sending, templates and the cost summary."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from config.api_input import PlausibleDateField, validate_storable_json
from messaging import selectors, services
from messaging.models import Conversation, Message, MessageTemplate, ParameterFormat, TemplateCategory
from salons.models import Customer, Role
from salons.tenancy.api import (
    SalonScopedAPIView,
    SalonScopedViewSet,
    ScopedPrimaryKeyRelatedField,
    ServiceWrites,
    ServiceWritesViewSet,
)

# --- serializers -------------------------------------------------------------------------------------------------


class CustomerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    opted_out = serializers.BooleanField(source="is_opted_out")


class ConversationOutputSerializer(serializers.ModelSerializer):
    customer = CustomerBriefSerializer()
    window_state = serializers.CharField()

    class Meta:
        model = Conversation
        fields = ["id", *selectors.CONVERSATION_SUMMARY_FIELDS, "created_at"]


class MessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "customer",
            "direction",
            "type",
            "status",
            "preview",
            "body",
            "wamid",
            "reply_to",
            "template",
            "created_at",
            "sent_at",
            "delivered_at",
            "read_at",
            "failed_at",
            "received_at",
            "error_code",
            "error_title",
            "error_explanation",
            "pricing_category",
            "pricing_type",
            "cost",
            "cost_currency",
            "attempts",
        ]


class MessageSendInputSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyRelatedField(Customer)
    type = serializers.ChoiceField(choices=["text", "interactive", "template"])
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="For type=text")
    interactive = serializers.DictField(
        required=False,
        validators=[validate_storable_json],
        help_text="WhatsApp's interactive object (reply buttons or a list), for type=interactive",
    )
    template_name = serializers.CharField(required=False, help_text="For type=template")
    language = serializers.CharField(required=False, allow_null=True, default=None)
    body_parameters = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    quick_reply_payloads = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    reply_to = ScopedPrimaryKeyRelatedField(Message, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        needed = {"text": "text", "interactive": "interactive", "template": "template_name"}[attrs["type"]]
        if not attrs.get(needed):
            raise serializers.ValidationError({needed: ["This field is required for this message type."]})
        return attrs


class TemplateOutputSerializer(serializers.ModelSerializer):
    body_parameter_count = serializers.SerializerMethodField()

    class Meta:
        model = MessageTemplate
        fields = [
            *("id", "name", "language", "category", "status", "components", "parameter_format"),
            *("meta_id", "rejection_reason", "body_parameter_count", "last_synced_at", "created_at", "updated_at"),
        ]

    def get_body_parameter_count(self, template) -> int:
        return len(template.body_parameter_names)


def _validate_components(value):
    if not isinstance(value, list) or not value:
        raise serializers.ValidationError("Give a list of components with at least a BODY.")
    kinds = [str((c or {}).get("type", "")).upper() for c in value if isinstance(c, dict)]
    if len(kinds) != len(value) or "BODY" not in kinds:
        raise serializers.ValidationError("Every component is an object with a type; a BODY is required.")
    return value


class TemplateCreateInputSerializer(serializers.Serializer):
    name = serializers.RegexField(r"^[a-z0-9_]{1,512}$", error_messages={"invalid": "Lowercase letters, digits, _."})
    language = serializers.RegexField(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
    category = serializers.ChoiceField(choices=TemplateCategory.choices)
    components = serializers.JSONField(validators=[validate_storable_json, _validate_components])
    parameter_format = serializers.ChoiceField(choices=ParameterFormat.choices, default=ParameterFormat.POSITIONAL)


class TemplateUpdateInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=TemplateCategory.choices, required=False)
    components = serializers.JSONField(required=False, validators=[validate_storable_json, _validate_components])


class PaginatedMessagesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MessageOutputSerializer(many=True)


# --- filters -----------------------------------------------------------------------------------------------------


class ConversationFilter(django_filters.FilterSet):
    window = django_filters.ChoiceFilter(
        choices=[("open", "open"), ("expired", "expired")],
        method="filter_window",
        label="Window state: open (free-form messages allowed) or expired",
    )

    class Meta:
        model = Conversation
        fields = ["window"]

    def filter_window(self, queryset, name, value):
        return selectors.conversation_list(window=value, queryset=queryset)


class MessageFilter(django_filters.FilterSet):
    # status, direction and type: django-filter makes a choice filter of a model field with choices.
    conversation = django_filters.NumberFilter(field_name="conversation_id", label="Conversation id")

    class Meta:
        model = Message
        fields = ["status", "direction", "type", "conversation"]


class TemplateFilter(django_filters.FilterSet):
    class Meta:
        model = MessageTemplate
        fields = ["status"]


# --- views -------------------------------------------------------------------------------------------------------


class ConversationViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Conversations with their 24 h window state (``?window=open|expired``); ``messages/`` pages the messages."""

    model = Conversation
    serializer_class = ConversationOutputSerializer
    filterset_class = ConversationFilter

    def scope_queryset(self, queryset):
        return selectors.conversation_list(queryset=queryset)

    @extend_schema(
        filters=False,
        parameters=[
            OpenApiParameter("page", int, description="A page number within the paginated result set."),
            OpenApiParameter("page_size", int, description="Number of results to return per page."),
        ],
        responses=PaginatedMessagesSerializer,
    )
    @action(detail=True, methods=["get"])
    def messages(self, request, salon_id, pk):
        conversation = self.get_object()
        page = self.paginate_queryset(selectors.conversation_messages(conversation=conversation))
        return self.get_paginated_response(MessageOutputSerializer(page, many=True).data)


@extend_schema_view(create=extend_schema(request=MessageSendInputSerializer, responses={201: MessageOutputSerializer}))
class MessageViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Messages (``?status=``, ``?direction=``, ``?type=``, ``?conversation=``), and POST to send one."""

    model = Message
    serializer_class = MessageOutputSerializer
    filterset_class = MessageFilter

    def scope_queryset(self, queryset):
        return queryset.order_by("-created_at", "-pk")

    def create(self, request, salon_id):
        v = self.valid_input(MessageSendInputSerializer)
        if v["type"] == "text":
            message = services.message_send_text(
                salon=self.salon, customer=v["customer"], text=v["text"], reply_to=v["reply_to"]
            )
        elif v["type"] == "interactive":
            message = services.message_send_interactive(
                salon=self.salon, customer=v["customer"], interactive=v["interactive"], reply_to=v["reply_to"]
            )
        else:
            message = services.message_send_template(
                salon=self.salon,
                customer=v["customer"],
                template_name=v["template_name"],
                language=v["language"],
                body_parameters=v["body_parameters"],
                quick_reply_payloads=v["quick_reply_payloads"],
            )
        return self.created(MessageOutputSerializer(message).data)


class TemplateSyncStartedSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema_view(sync=extend_schema(request=None, responses={202: TemplateSyncStartedSerializer}))
class TemplateViewSet(ServiceWritesViewSet):
    """WhatsApp templates: create (submitted to Meta for review), edit (re-reviewed), delete, and ``sync/``."""

    model = MessageTemplate
    serializer_class = TemplateOutputSerializer
    input_serializer_class = TemplateCreateInputSerializer
    update_serializer_class = TemplateUpdateInputSerializer
    writes = ServiceWrites("template", services.template_create, services.template_update, services.template_delete)
    filterset_class = TemplateFilter
    write_role = Role.MANAGER

    def scope_queryset(self, queryset):
        return queryset.order_by("name", "language")

    def update_row(self, template, data: dict):
        return self.writes.update(template=template, **data)  # the fields as keywords, like the admin's form

    @action(detail=False, methods=["post"])
    def sync(self, request, salon_id):
        """Fetch every template of the WABA from Meta (in the background)."""
        services.template_sync_enqueue(salon=self.salon)
        return Response({"detail": "Template sync started."}, status=status.HTTP_202_ACCEPTED)


class CostSummaryQuery(serializers.Serializer):
    start = PlausibleDateField(required=False)
    end = PlausibleDateField(required=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": ["end must not be before start."]})
        if attrs.get("start") and attrs.get("end") and (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError({"start": ["At most one year at a time."]})
        return attrs


class CostDayOut(serializers.Serializer):
    date = serializers.DateField()
    category = serializers.CharField()
    currency = serializers.CharField()
    messages = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=6)


class CostSummaryOut(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=6)
    days = CostDayOut(many=True)


class CostSummaryView(SalonScopedAPIView):
    """What WhatsApp messages cost, per local day and pricing category (``?start=&end=``, default last 30 days)."""

    model = Message
    serializer_class = CostSummaryOut

    @extend_schema(parameters=[CostSummaryQuery], responses=CostSummaryOut)
    def get(self, request, salon_id):
        query = CostSummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.now().astimezone(self.salon.tz).date()
        end = query.validated_data.get("end") or today
        start = query.validated_data.get("start") or end - timedelta(days=29)
        return Response(selectors.cost_summary(salon=self.salon, start=start, end=end))
