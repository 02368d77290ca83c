"""Admin for conversations (window state, recent messages), messages (read-only, with the error explained) and
templates (with a sync action); everything goes through the tenancy admin mixins."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from config.api import DomainError
from messaging.api import TemplateCreateInputSerializer, TemplateUpdateInputSerializer
from messaging.backoffice.customer_story import conversation_panel
from messaging.backoffice.dashboard import whatsapp_cards
from messaging.backoffice.templates_admin import TemplateEditorMixin
from messaging.models import Conversation, Message, MessageTemplate
from messaging.selectors import CONVERSATION_SUMMARY_FIELDS
from messaging.services import template_create, template_delete, template_sync, template_update
from salons.models import Salon
from salons.tenancy.admin import TenantAdminMixin, TenantInlineMixin
from salons.tenancy.admin_services import fresh

RECENT = timedelta(days=30)
BACKOFFICE = [conversation_panel, whatsapp_cards]  # registered on the customer page and dashboard on import
MESSAGE_FIELDS = ("created_at", "direction", "type", "status", "preview", "error_explanation", "cost")


class RecentMessageInline(TenantInlineMixin, admin.TabularInline):
    model = Message
    fields = MESSAGE_FIELDS
    readonly_fields = MESSAGE_FIELDS
    ordering = ["-created_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Messages of the last 30 days"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(created_at__gte=timezone.now() - RECENT)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "window_state", "window_expires_at", "last_message_at", "message_count", "cost_total")
    list_select_related = ("customer",)
    search_fields = ("customer__name", "customer__phone")
    readonly_fields = CONVERSATION_SUMMARY_FIELDS
    fields = readonly_fields
    inlines = [RecentMessageInline]

    @admin.display(description="Window")
    def window_state(self, obj: Conversation) -> str:
        return {"open": "Open (free-form allowed)", "expired": "Expired (templates only)", "none": "Never opened"}[
            obj.window_state
        ]

    def has_add_permission(self, request, *args):
        return False

    records_kept = True  # see TenantAdminMixin.records_kept


@admin.register(Message)
class MessageAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "direction", "type", "status", "preview", "error_code", "cost")
    list_filter = ("status", "direction", "type")
    list_select_related = ("customer",)
    search_fields = ("wamid", "preview", "customer__phone", "customer__name")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("conversation", "customer", "direction", "type", "status", "preview", "body", "wamid")}),
        ("What went wrong", {"fields": ("error_explanation", "error_code", "error_title", "error_details")}),
        (
            "Timeline",
            {"fields": ("created_at", "sending_at", "sent_at", "delivered_at", "read_at", "failed_at", "received_at")},
        ),
        ("Sending", {"fields": ("attempts", "lease_expires_at", "next_attempt_at", "template", "reply_to")}),
        ("Pricing", {"fields": ("pricing_model", "pricing_type", "pricing_category", "cost", "cost_currency")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Message._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Messages are a record: never deleted here. (Without an object, answer like the mixin so that another
        # salon's id gets "does not exist" rather than a hint that it exists.)
        return obj is None and self._may(request, self.admin_write_role)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _validated(serializer_class, data: dict) -> dict:
    """The API's input rules for the admin's values; the first problem as a DomainError (a form error)."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        field, problems = next(iter(serializer.errors.items()))
        raise DomainError(str(problems[0]), field=None if field == "non_field_errors" else field)
    return dict(serializer.validated_data)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(TemplateEditorMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "language", "category", "status", "rejection_reason", "last_synced_at")
    list_filter = ("status", "category", "language")
    search_fields = ("name",)
    readonly_fields = ("status", "meta_id", "rejection_reason", "last_synced_at")
    actions = ["sync_from_whatsapp"]
    admin_write_role = "manager"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # A template's identity is fixed once submitted; its content and category are edited and re-submitted.
        return (*self.readonly_fields, "name", "language", "parameter_format")

    def service_save(self, request, obj, form, formsets, change):
        """Validated like the API, and submitted to WhatsApp for review (after commit): new templates and every
        change of content or category."""
        if change:
            template = fresh(obj)
            changed = {
                name: form.cleaned_data[name] for name in ("components", "category") if name in form.changed_data
            }
            if not changed:
                return template
            return template_update(template=template, **_validated(TemplateUpdateInputSerializer, changed))
        fields = ("name", "language", "category", "components", "parameter_format")
        return template_create(
            salon=obj.salon, **_validated(TemplateCreateInputSerializer, {f: form.cleaned_data[f] for f in fields})
        )

    def service_delete(self, request, obj):
        template_delete(template=obj)  # on Meta too, when it was submitted

    @admin.action(description="Sync templates of these salons from WhatsApp")
    def sync_from_whatsapp(self, request, queryset):
        salon_ids = set(queryset.values_list("salon_id", flat=True))
        for salon in Salon.objects.filter(pk__in=salon_ids):
            try:
                counts = template_sync(salon=salon)
            except DomainError as exc:
                self.message_user(request, f"{salon}: {exc.message}", messages.ERROR)
                continue
            self.message_user(
                request, f"{salon}: {counts['created']} new, {counts['updated']} updated, {counts['deleted']} gone."
            )
