"""Admin of the assistant: conversations with their turns, the handoff queue, staff replies, resume, "Try it"."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from ai_conversations import sandbox, services
from ai_conversations.backoffice.dashboard import assistant_cards
from ai_conversations.backoffice.inbox import attention_badge, inbox_view
from ai_conversations.models import (
    AIConversation,
    AIMessage,
    AssistantSettings,
    ConversationState,
)
from config.api import DomainError
from salons.models import Role, Salon
from salons.tenancy import salon_scope
from salons.tenancy.admin import ReadOnlyTenantAdmin, TenantAdminMixin, TenantInlineMixin, member_salon_ids

# What the Try page accepts: a WhatsApp text's length, and a reply id or title as the dialog writes them.
TRY_TEXT_MAX = 4096
TRY_REPLY_ID_MAX = 200

DASHBOARD_CARDS = [assistant_cards]  # registered on the morning dashboard on import


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Handed off to staff"), ("no", "Assistant answering")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(state=ConversationState.HANDED_OFF)
        if self.value() == "no":
            return queryset.exclude(state=ConversationState.HANDED_OFF)
        return queryset


class AIMessageInline(TenantInlineMixin, admin.TabularInline):
    model = AIMessage
    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]
    fields = [
        "created_at",
        "direction",
        "content",
        "intent",
        "provider",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "latency_ms",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StaffReplyForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), required=False)
    template_name = forms.CharField(
        required=False, help_text="Outside the 24 h window: the name of an approved template."
    )
    body_parameters = forms.CharField(required=False, help_text="Template body parameters, separated by |")


@admin.register(AIConversation)
class AIConversationAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = [
        "customer",
        "attention",
        "state",
        "language",
        "provider",
        "message_count",
        "prompt_tokens_total",
        "completion_tokens_total",
        "cost_display",
        "last_activity_at",
    ]
    list_filter = [NeedsAttentionFilter, "state", "provider", "language"]
    list_select_related = ["customer"]
    search_fields = ["customer__name", "customer__phone"]
    ordering = ["-last_activity_at"]
    readonly_fields = [
        "customer",
        "state",
        "handed_off_at",
        "handoff_reason",
        "language",
        "provider",
        "model",
        "dialog_state",
        "message_count",
        "failed_understanding_count",
        "prompt_tokens_total",
        "completion_tokens_total",
        "cost_total",
        "cost_currency",
        "last_activity_at",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [AIMessageInline]
    actions = ["resume_selected", "hand_off_selected"]
    change_form_template = "admin/ai_conversations/aiconversation/change_form.html"
    change_list_template = "admin/ai_conversations/aiconversation/change_list.html"

    def has_add_permission(self, request, *args):
        return False

    records_kept = True  # see TenantAdminMixin.records_kept

    @admin.display(description=gettext_lazy("Needs attention"))
    def attention(self, obj):
        # A red "Needs attention" badge, not a green tick (which reads as "all good").
        return attention_badge(obj)

    @admin.display(description="Cost", ordering="cost_total")
    def cost_display(self, obj):
        return f"{obj.cost_total:.6f} {obj.cost_currency}"

    # --- actions ------------------------------------------------------------------------------------------------
    @admin.action(description="Resume the assistant (hand back)", permissions=["change"])
    def resume_selected(self, request, queryset):
        for conversation in queryset:
            with salon_scope(conversation.salon):
                services.conversation_hand_back(conversation=conversation)
        self.message_user(request, f"The assistant answers again in {queryset.count()} conversation(s).")

    @admin.action(description="Take over (stop the assistant)", permissions=["change"])
    def hand_off_selected(self, request, queryset):
        for conversation in queryset:
            with salon_scope(conversation.salon):
                services.conversation_hand_off(conversation=conversation, reason=f"taken over by {request.user}")
        self.message_user(request, f"{queryset.count()} conversation(s) handed to staff.")

    # --- reply / resume / try -------------------------------------------------------------------------------------
    def get_urls(self):
        extra = [
            path("try/", self.admin_site.admin_view(self.try_view), name="ai_conversations_try"),
            path("inbox/", self.admin_site.admin_view(lambda r: inbox_view(self, r)), name="ai_conversations_inbox"),
            path("<int:pk>/reply/", self.admin_site.admin_view(self.reply_view), name="ai_conversations_reply"),
            path("<int:pk>/resume/", self.admin_site.admin_view(self.resume_view), name="ai_conversations_resume"),
        ]
        return [*extra, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "try_url": reverse("admin:ai_conversations_try")}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: the page's actions are the reply and resume forms, not "Save".
        extra_context = {
            **(extra_context or {}),
            "reply_form": StaffReplyForm(),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _conversation_for_change(self, request, pk: int) -> AIConversation:
        if request.method != "POST":
            raise Http404
        conversation = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, conversation):
            raise PermissionDenied
        return conversation

    def reply_view(self, request, pk: int):
        conversation = self._conversation_for_change(request, pk)
        form = StaffReplyForm(request.POST)
        url = reverse("admin:ai_conversations_aiconversation_change", args=[pk])
        if request.POST.get("back") == "inbox":
            url = f"{reverse('admin:ai_conversations_inbox')}?c={pk}"
        if not form.is_valid() or not (form.cleaned_data["text"] or form.cleaned_data["template_name"]):
            self.message_user(request, "Write a message or choose a template.", messages.ERROR)
            return HttpResponseRedirect(url)
        parameters = [p.strip() for p in form.cleaned_data["body_parameters"].split("|") if p.strip()]
        try:
            with salon_scope(conversation.salon):
                services.conversation_staff_reply(
                    conversation=conversation,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    template_name=form.cleaned_data["template_name"],
                    body_parameters=parameters,
                )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, "Sent.")
        return HttpResponseRedirect(url)

    def resume_view(self, request, pk: int):
        conversation = self._conversation_for_change(request, pk)
        with salon_scope(conversation.salon):
            services.conversation_hand_back(conversation=conversation)
        self.message_user(request, "The assistant answers this customer again.")
        return HttpResponseRedirect(reverse("admin:ai_conversations_aiconversation_change", args=[pk]))

    def try_view(self, request):
        """Chat with the assistant of one of the user's salons as their sandbox customer: the real path (stored
        inbound message, the assistant's task on a worker, the outbox), and nothing is ever sent to Meta."""
        salons = Salon.objects.filter(is_active=True).order_by("name")
        if not request.user.is_superuser:
            salons = salons.filter(pk__in=member_salon_ids(request, Role.STAFF))
        salons = list(salons)
        if not salons:
            raise PermissionDenied
        wanted = request.POST.get("salon") or request.GET.get("salon")
        salon = next((s for s in salons if str(s.pk) == wanted), None) if wanted else salons[0]
        if salon is None:
            raise Http404("No such salon.")
        here = f"{reverse('admin:ai_conversations_try')}?salon={salon.pk}"
        if request.method == "POST":
            text, reply_id = request.POST.get("text", "").strip(), request.POST.get("reply_id", "").strip()
            if text or reply_id:
                with salon_scope(salon):
                    sandbox.sandbox_send(
                        salon=salon,
                        user=request.user,
                        text=text[:TRY_TEXT_MAX],
                        reply_id=reply_id[:TRY_REPLY_ID_MAX],
                        reply_title=request.POST.get("reply_title", "")[:TRY_REPLY_ID_MAX],
                    )
            return HttpResponseRedirect(here)
        with salon_scope(salon):
            chat = sandbox.sandbox_chat(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": "Try your assistant",
            "salons": salons,
            "salon": salon,
            "chat": chat,
            "here": here,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/ai_conversations/try.html", context)


@admin.register(AIMessage)
class AIMessageAdmin(ReadOnlyTenantAdmin):
    list_display = [
        "created_at",
        "conversation",
        "direction",
        "short_content",
        "intent",
        "provider",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "latency_ms",
    ]
    list_filter = ["direction", "intent", "provider"]
    list_select_related = ["conversation__customer"]
    ordering = ["-created_at"]
    readonly_fields = [f.name for f in AIMessage._meta.fields if f.name != "salon"]

    @admin.display(description="Content")
    def short_content(self, obj):
        return format_html("{}", obj.content[:80])


@admin.register(AssistantSettings)
class AssistantSettingsAdmin(TenantAdminMixin, admin.ModelAdmin):
    admin_write_role = Role.MANAGER
    list_display = ["salon", "enabled", "use_llm", "llm_model", "monthly_budget", "budget_currency"]
    exclude = ["llm_api_key"]  # a secret: set it from a shell, never shown

    def has_delete_permission(self, request, obj=None):
        return obj is None and super().has_delete_permission(request, obj)  # switched off with "enabled", not deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def service_save(self, request, obj, form, formsets, change):
        fields = {f.name for f in AssistantSettings._meta.fields} - {"id", "salon", "llm_api_key", "updated_at"}
        data = {name: value for name, value in form.cleaned_data.items() if name in fields}
        return services.assistant_settings_save(salon=obj.salon, data=data)
