"""WhatsApp conversations (the 24 h window), messages (the outbox and the inbox), templates and the rate card."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from salons.base_models import Timestamped, text_choices
from salons.tenancy import TenantModel

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


class Conversation(TenantModel, Timestamped):
    """One per (salon, customer): the customer-service window, counters and what the messages cost."""

    customer = models.ForeignKey("salons.Customer", on_delete=models.CASCADE, related_name="+")
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    window_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="24 h after the customer's last message; free-form text only before this."
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    inbound_count = models.PositiveIntegerField(default=0)
    outbound_count = models.PositiveIntegerField(default=0)
    cost_total = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal("0"))
    cost_currency = models.CharField(max_length=3, blank=True)
    sandbox = models.BooleanField(
        default=False,
        db_default=False,
        help_text='A staff member\'s "Try your assistant" chat: its messages are never sent to WhatsApp.',
    )

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "customer"], name="conversation_unique_salon_customer"),
        ]
        indexes = [
            models.Index(fields=["salon", "-last_message_at"], name="conversation_salon_last_msg"),
            models.Index(fields=["salon", "window_expires_at"], name="conversation_salon_window"),
        ]

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.window_state})"

    def is_window_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.window_expires_at is not None and self.window_expires_at > at

    @property
    def window_state(self) -> str:
        """'open' (free-form allowed), 'expired' (templates only) or 'none' (the customer never wrote)."""
        if self.window_expires_at is None:
            return "none"
        return "open" if self.is_window_open() else "expired"


Direction = text_choices("Direction", "inbound outbound")

MessageType = text_choices(
    "MessageType",
    "text template interactive button image audio video document sticker location contacts reaction unsupported",
    BUTTON="Template button reply",
)

MessageStatus = text_choices(
    "MessageStatus", "received queued sending sent delivered read failed sandbox", SANDBOX="Not sent (sandbox)"
)


# Outbound statuses only move forward. "failed" is terminal and cannot overtake a delivered/read message.
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}


def status_may_advance(current: str, new: str) -> bool:
    if current in (MessageStatus.FAILED, MessageStatus.RECEIVED, MessageStatus.SANDBOX):
        return False
    if new == MessageStatus.FAILED:
        return STATUS_RANK[MessageStatus(current)] < STATUS_RANK[MessageStatus.DELIVERED]
    return STATUS_RANK.get(MessageStatus(new), -1) > STATUS_RANK[MessageStatus(current)]


PricingCategory = text_choices(
    "PricingCategory",
    "marketing utility authentication authentication_international service marketing_lite referral_conversion",
    AUTHENTICATION_INTERNATIONAL="Authentication (international)",
)


class Message(TenantModel):
    """One WhatsApp message. Outbound rows are the outbox: created queued, claimed with a lease, sent, retried."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    customer = models.ForeignKey("salons.Customer", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    type = models.CharField(max_length=16, choices=MessageType.choices)
    body = models.JSONField(default=dict, blank=True, help_text="The Cloud API message object as sent or received.")
    preview = models.CharField(max_length=300, blank=True)
    wamid = models.CharField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True, help_text="Inbound: when the customer sent it.")
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=255, blank=True)
    error_explanation = models.TextField(blank=True, help_text="What went wrong, in plain language.")
    error_details = models.TextField(blank=True, help_text="Meta's own wording, for support.")
    pricing_model = models.CharField(max_length=16, blank=True)
    pricing_type = models.CharField(max_length=32, blank=True)
    pricing_category = models.CharField(max_length=32, blank=True)
    billable = models.BooleanField(null=True, blank=True)
    cost = models.DecimalField(
        max_digits=12, decimal_places=6, null=True, blank=True, help_text="Set once, when Meta first reports pricing."
    )
    cost_currency = models.CharField(max_length=3, blank=True)
    template = models.ForeignKey(
        "messaging.MessageTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_hint = models.CharField(max_length=32, blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["salon", "wamid"], condition=Q(wamid__isnull=False), name="message_unique_salon_wamid"
            ),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="message_direction_valid"),
            models.CheckConstraint(condition=Q(type__in=MessageType.values), name="message_type_valid"),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_valid"),
        ]
        indexes = [
            models.Index(fields=["salon", "conversation", "created_at"], name="message_salon_conv_created"),
            models.Index(fields=["salon", "created_at"], name="message_salon_created"),
            models.Index(fields=["salon", "status", "created_at"], name="message_salon_status"),
            # The sweeper's scan: only unfinished outbound rows are in this partial index.
            models.Index(
                fields=["salon", "status", "lease_expires_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="message_salon_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.type} {self.status}: {self.preview[:40]}"

    @property
    def reply_payload(self) -> str | None:
        """The payload of a quick-reply/interactive answer (e.g. ``booking:AB12:confirm``), else None."""
        body = self.body or {}
        if self.type == MessageType.BUTTON:
            return (body.get("button") or {}).get("payload")
        if self.type == MessageType.INTERACTIVE and self.direction == Direction.INBOUND:
            interactive = body.get("interactive") or {}
            reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
            return reply.get("id")
        return None


TemplateCategory = text_choices("TemplateCategory", "MARKETING UTILITY AUTHENTICATION")

TemplateStatus = text_choices(
    "TemplateStatus",
    "APPROVED PENDING REJECTED PAUSED DISABLED IN_APPEAL PENDING_DELETION DELETED LIMIT_EXCEEDED ARCHIVED",
    PENDING="Pending review",
)


class ParameterFormat(models.TextChoices):
    POSITIONAL = "POSITIONAL", "Positional ({{1}})"
    NAMED = "NAMED", "Named ({{name}})"


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class MessageTemplate(TenantModel, Timestamped):
    """A WhatsApp message template on the salon's WABA, mirrored here with Meta's review status."""

    name = models.CharField(max_length=512)
    language = models.CharField(max_length=16, help_text="Meta's code, e.g. en, en_US, pt_BR")
    category = models.CharField(max_length=16, choices=TemplateCategory.choices, default=TemplateCategory.UTILITY)
    status = models.CharField(max_length=20, choices=TemplateStatus.choices, default=TemplateStatus.PENDING)
    components = models.JSONField(default=list, blank=True)
    parameter_format = models.CharField(
        max_length=16, choices=ParameterFormat.choices, default=ParameterFormat.POSITIONAL
    )
    meta_id = models.CharField(max_length=64, blank=True)
    rejection_reason = models.TextField(blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "name", "language"], name="template_unique_salon_name_lang"),
            models.CheckConstraint(condition=Q(status__in=TemplateStatus.values), name="template_status_valid"),
            models.CheckConstraint(condition=Q(category__in=TemplateCategory.values), name="template_category_valid"),
            models.CheckConstraint(
                condition=Q(parameter_format__in=ParameterFormat.values), name="template_param_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["salon", "status"], name="template_salon_status")]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}] {self.status}"

    def component(self, kind: str) -> dict | None:
        for component in self.components or []:
            if str(component.get("type", "")).upper() == kind:
                return component
        return None

    @property
    def body_text(self) -> str:
        return (self.component("BODY") or {}).get("text", "")

    @property
    def body_parameter_names(self) -> list[str]:
        """Placeholders of the body in order of first appearance ("1", "2"... or names)."""
        seen: list[str] = []
        for name in _PLACEHOLDER.findall(self.body_text):
            if name not in seen:
                seen.append(name)
        return seen

    @property
    def quick_reply_count(self) -> int:
        buttons = (self.component("BUTTONS") or {}).get("buttons", [])
        return sum(1 for b in buttons if str(b.get("type", "")).upper() == "QUICK_REPLY")

    def render_body(self, parameters) -> str:
        values = dict(zip(self.body_parameter_names, parameters, strict=False))
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), self.body_text)


class RateCard(models.Model):
    """Meta's price per delivered message, by currency, market (country calling code) and category. Global."""

    currency = models.CharField(max_length=3)
    market = models.CharField(max_length=8, help_text="Country calling code without '+', or '*' for other markets")
    market_name = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=32, choices=PricingCategory.choices)
    price = models.DecimalField(max_digits=10, decimal_places=6)
    effective_from = models.DateField()

    class Meta:
        ordering = ["currency", "market", "category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "market", "category", "effective_from"], name="ratecard_unique_entry"
            ),
            models.CheckConstraint(condition=Q(category__in=PricingCategory.values), name="ratecard_category_valid"),
            models.CheckConstraint(condition=Q(price__gte=0), name="ratecard_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.market} {self.category} {self.price} {self.currency} from {self.effective_from}"
