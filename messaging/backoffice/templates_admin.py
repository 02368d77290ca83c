"""What the back office adds to ``MessageTemplateAdmin``: the editor form (body, examples, preview) and the
template's review state on its page. Saving stays ``MessageTemplateAdmin.service_save`` (submits to WhatsApp)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from messaging.backoffice.template_editor import MAX_PARAMETERS, TemplateEditorForm


class TemplateEditorMixin:
    form = TemplateEditorForm
    change_form_template = "admin/messaging/backoffice/template_change_form.html"

    def get_fieldsets(self, request, obj=None):
        identity = ("name", "language", "category") if obj is None else ("category",)
        examples = tuple(f"example_{n}" for n in range(1, MAX_PARAMETERS + 1))
        review = ("status", "rejection_reason", "meta_id", "last_synced_at")
        return [
            (None, {"fields": (*identity, "header", "body", "footer", "components")}),
            (gettext_lazy("Examples for the review (one per placeholder)"), {"fields": examples}),
            (gettext_lazy("WhatsApp review"), {"fields": review}),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [f for f in fields if f not in ("name", "language", "parameter_format")] if obj is None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = None  # the editor form declares its own fields (body, examples), not the model's
        return super().get_form(request, obj, change=change, **kwargs)
