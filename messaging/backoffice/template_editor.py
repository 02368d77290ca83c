"""The template editor: a template's body typed as text with ``{{1}}`` placeholders, a named example for each, an
optional header and footer, and a preview; saved as WhatsApp components through ``MessageTemplateAdmin``'s
``service_save`` (``template_create``/``template_update``, which submit it to WhatsApp for review)."""

from __future__ import annotations

import re

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging.models import MessageTemplate, ParameterFormat

MAX_PARAMETERS = 6
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
LANGUAGE_CHOICES = [
    ("en", "English (en)"), ("en_US", "English US (en_US)"), ("en_GB", "English UK (en_GB)"),
    ("de", "Deutsch (de)"), ("es", "Español (es)"),
    ("pt_BR", "Português BR (pt_BR)"), ("pt_PT", "Português PT (pt_PT)"),
]  # fmt: skip


def placeholders(body: str) -> list[int]:
    return sorted({int(n) for n in PLACEHOLDER.findall(body or "")})


def preview(body: str, examples: dict[int, str]) -> str:
    """The body as a customer would read it with the examples filled in."""
    return PLACEHOLDER.sub(lambda m: examples.get(int(m.group(1))) or m.group(0), body or "")


def build_components(*, header: str, body: str, footer: str, examples: list[str], keep: list[dict]) -> list[dict]:
    """WhatsApp components: HEADER (text), BODY with its example row, FOOTER, then the template's other components
    (buttons) unchanged."""
    components: list[dict] = []
    if header:
        components.append({"type": "HEADER", "format": "TEXT", "text": header})
    body_component: dict = {"type": "BODY", "text": body}
    if examples:
        body_component["example"] = {"body_text": [examples]}
    components.append(body_component)
    if footer:
        components.append({"type": "FOOTER", "text": footer})
    return components + [c for c in keep if str(c.get("type", "")).upper() not in ("HEADER", "BODY", "FOOTER")]


class TemplateEditorForm(forms.ModelForm):
    header = forms.CharField(required=False, max_length=60, label=gettext_lazy("Header (optional)"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        max_length=1024,
        label=gettext_lazy("Body"),
        help_text=gettext_lazy("Placeholders {{1}}, {{2}}… are filled in when the message is sent."),
    )
    footer = forms.CharField(required=False, max_length=60, label=gettext_lazy("Footer (optional)"))

    class Meta:
        model = MessageTemplate
        fields = ["name", "language", "category", "parameter_format", "components"]
        widgets = {"components": forms.HiddenInput, "language": forms.Select(choices=LANGUAGE_CHOICES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_PARAMETERS + 1):
            self.fields[f"example_{n}"] = forms.CharField(
                required=False, max_length=200, label=f"{{{{{n}}}}}",
                widget=forms.TextInput(attrs={"placeholder": _("e.g. Maria (customer name)"), "class": "example"}),
            )  # fmt: skip
        for name in ("components", "parameter_format"):
            if name in self.fields:
                self.fields[name].required = False
        template = self.instance
        self.original_components = list(template.components or [])  # the instance takes the new ones on validation
        if template.pk:
            self.initial.setdefault("body", template.body_text)
            self.initial.setdefault("header", (template.component("HEADER") or {}).get("text", ""))
            self.initial.setdefault("footer", (template.component("FOOTER") or {}).get("text", ""))
            rows = ((template.component("BODY") or {}).get("example") or {}).get("body_text") or [[]]
            for n, value in enumerate(rows[0] if rows else [], start=1):
                self.initial.setdefault(f"example_{n}", value)

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body", "")
        numbers = placeholders(body)
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            self.add_error("body", _("Number the placeholders {{1}}, {{2}}… without gaps."))
        if numbers and numbers[-1] > MAX_PARAMETERS:
            self.add_error("body", _("At most %(n)d placeholders.") % {"n": MAX_PARAMETERS})
        examples = []
        for n in numbers:
            value = (cleaned.get(f"example_{n}") or "").strip()
            if not value:
                self.add_error(f"example_{n}", _("WhatsApp reviews the template with an example for each placeholder."))
            examples.append(value)
        if "parameter_format" in self.fields and not cleaned.get("parameter_format"):
            cleaned["parameter_format"] = ParameterFormat.POSITIONAL
        keep = self.original_components if self.instance.pk else []
        cleaned["components"] = build_components(
            header=cleaned.get("header", ""), body=body, footer=cleaned.get("footer", ""), examples=examples, keep=keep
        )
        return cleaned

    @cached_property
    def changed_data(self):
        changed = [name for name in super().changed_data if name != "components"]
        if self.is_bound and self.cleaned_data.get("components") != self.original_components:
            changed.append("components")
        return changed
