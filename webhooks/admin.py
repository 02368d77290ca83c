"""Admin for the raw webhook event log: superusers only (see the class docstring), read-only, with a replay action."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models.functions import Length
from django.utils.html import format_html

from salons.models import Salon
from webhooks.models import WebhookEvent
from webhooks.services import events_replay


class SalonFilter(admin.SimpleListFilter):
    """Events whose items resolved to a salon (an event may carry several salons' items)."""

    title = "salon"
    parameter_name = "salon"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Salon.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(salon_ids__contains=[self.value()])
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Superusers only, deliberately not ``TenantAdminMixin``: an event is stored before its salon is known and one
    POST may batch several salons' updates, so showing it (or even its item outcomes) to one salon's staff could show
    another salon's customers. Salon staff see what arrived through messaging's conversations and messages instead."""

    list_display = ("id", "received_at", "status", "attempts", "next_attempt_at", "item_count", "size")
    list_filter = ("status", SalonFilter, ("received_at", admin.DateFieldListFilter))
    date_hierarchy = "received_at"
    search_fields = ("=id",)  # and the body's SHA-256 in hex (get_search_results)
    readonly_fields = (
        "received_at",
        "status",
        "attempts",
        "next_attempt_at",
        "processed_at",
        "last_error",
        "salons",
        "results_pretty",
        "body_hash",
        "body_pretty",
    )
    exclude = ("body", "body_sha256", "results", "salon_ids")
    actions = ("replay",)
    show_full_result_count = False

    def get_queryset(self, request):
        # Lists never load bodies (up to 3 MB each); the change view loads its one body when it shows it.
        return super().get_queryset(request).defer("body").annotate(body_size=Length("body"))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_search_results(self, request, queryset, search_term):
        """An id, or the SHA-256 of a body in hex (what an operator has from a log line or a redelivery)."""
        term = search_term.strip().lower()
        if len(term) == 64:
            try:
                return queryset.filter(body_sha256=bytes.fromhex(term)), False
            except ValueError:
                pass
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="body SHA-256")
    def body_hash(self, obj: WebhookEvent) -> str:
        return bytes(obj.body_sha256 or b"").hex()

    @admin.display(description="items")
    def item_count(self, obj: WebhookEvent) -> int:
        return len(obj.results or {})

    @admin.display(description="bytes", ordering="body_size")
    def size(self, obj: WebhookEvent) -> int:
        return obj.body_size

    @admin.display(description="salons")
    def salons(self, obj: WebhookEvent) -> str:
        names = Salon.objects.filter(pk__in=obj.salon_ids or []).values_list("name", flat=True)
        return ", ".join(names) or "—"

    @admin.display(description="item outcomes")
    def results_pretty(self, obj: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.results or {}, indent=2, sort_keys=True))

    @admin.display(description="raw body")
    def body_pretty(self, obj: WebhookEvent) -> str:
        raw = obj.body_bytes
        try:
            text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:
            text = raw.decode("utf-8", "backslashreplace")
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", text)

    @admin.action(description="Replay the selected events")
    def replay(self, request, queryset):
        count = events_replay(event_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} event(s) queued for processing again.", messages.SUCCESS)
