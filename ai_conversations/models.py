"""The assistant's records: conversations per customer, every turn with its intent and cost, settings and rollups."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from salons.base_models import Timestamped, text_choices
from salons.crypto import EncryptedTextField
from salons.tenancy import TenantModel


class ConversationState(models.TextChoices):
    ACTIVE = "active", "Assistant answering"
    HANDED_OFF = "handed_off", "Handed off to a person"
    CLOSED = "closed", "Closed"


class Provider(models.TextChoices):
    OFFLINE = "offline", "Offline engine"
    OPENAI_COMPAT = "openai_compat", "OpenAI-compatible LLM"
    HUMAN = "human", "Staff member"


class Direction(models.TextChoices):
    INBOUND = "in", "From the customer"
    OUTBOUND = "out", "To the customer"


Intent = text_choices(
    "Intent",
    "greeting book ask_availability reschedule cancel confirm decline my_bookings prices_services opening_hours"
    " location talk_to_human thanks unknown",
    CONFIRM="Yes / confirm",
    DECLINE="No",
    PRICES_SERVICES="Prices and services",
    TALK_TO_HUMAN="Talk to a person",
    UNKNOWN="Not understood",
)


class AssistantUsage(models.Model):
    """Which provider and model answered, and the currency their cost is counted in: of a turn, or of a conversation
    (its latest answer, and the totals)."""

    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.OFFLINE)
    model = models.CharField(max_length=100, blank=True)
    cost_currency = models.CharField(max_length=3, default="USD")

    class Meta:
        abstract = True


class AIConversation(TenantModel, Timestamped, AssistantUsage):
    """One per (salon, customer): where the dialog stands and what the assistant has cost so far."""

    customer = models.ForeignKey("salons.Customer", on_delete=models.CASCADE, related_name="ai_conversations")
    state = models.CharField(max_length=16, choices=ConversationState.choices, default=ConversationState.ACTIVE)
    dialog_state = models.JSONField(default=dict, blank=True, help_text="What was offered, what awaits confirmation.")
    language = models.CharField(max_length=8, blank=True)
    prompt_tokens_total = models.PositiveBigIntegerField(default=0)
    completion_tokens_total = models.PositiveBigIntegerField(default=0)
    cost_total = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    message_count = models.PositiveIntegerField(default=0)
    failed_understanding_count = models.PositiveSmallIntegerField(
        default=0, help_text="Turns in a row the assistant did not understand."
    )
    handed_off_at = models.DateTimeField(null=True, blank=True)
    handoff_reason = models.CharField(max_length=200, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "AI conversation"
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "customer"], name="aiconv_unique_salon_customer"),
            models.CheckConstraint(condition=Q(state__in=ConversationState.values), name="aiconv_state_valid"),
            models.CheckConstraint(condition=Q(provider__in=Provider.values), name="aiconv_provider_valid"),
        ]
        indexes = [
            models.Index(fields=["salon", "state", "last_activity_at"], name="aiconv_salon_state_activity"),
            models.Index(fields=["salon", "last_activity_at"], name="aiconv_salon_activity"),
            models.Index(fields=["salon", "handed_off_at"], name="aiconv_salon_handed_off"),  # daily stats rollups
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_state_display()}"

    @property
    def needs_attention(self) -> bool:
        return self.state == ConversationState.HANDED_OFF


class AIMessage(TenantModel, AssistantUsage):
    """One turn: what was said, what the assistant understood, what it did and what it cost."""

    conversation = models.ForeignKey(AIConversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    content = models.TextField(blank=True)
    # The WhatsApp message this turn answers (inbound) or sent (outbound); kept as an id to stay loosely coupled.
    whatsapp_message_id = models.CharField(max_length=64, blank=True)
    intent = models.CharField(max_length=24, choices=Intent.choices, blank=True)
    entities = models.JSONField(default=dict, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    tool_calls = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "AI message"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="aimsg_direction_valid"),
            models.CheckConstraint(condition=Q(provider__in=Provider.values), name="aimsg_provider_valid"),
            models.CheckConstraint(condition=Q(intent="") | Q(intent__in=Intent.values), name="aimsg_intent_valid"),
            # One assistant turn per inbound WhatsApp message, even if the task runs twice.
            models.UniqueConstraint(
                fields=["salon", "whatsapp_message_id"],
                condition=Q(direction="in") & ~Q(whatsapp_message_id=""),
                name="aimsg_unique_salon_inbound_message",
            ),
        ]
        indexes = [
            models.Index(fields=["salon", "conversation", "created_at"], name="aimsg_salon_conv_created"),
            models.Index(fields=["salon", "created_at", "intent"], name="aimsg_salon_created_intent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.content[:40]}"


class AssistantSettings(TenantModel):
    """Per salon: whether the assistant answers, an optional LLM override and a monthly budget."""

    enabled = models.BooleanField(default=True, help_text="Off: inbound messages are stored but nobody auto-replies.")
    use_llm = models.BooleanField(default=True, help_text="Use the LLM provider when one is configured.")
    llm_base_url = models.URLField(blank=True, help_text="Overrides LLM_BASE_URL for this salon.")
    llm_model = models.CharField(max_length=100, blank=True, help_text="Overrides LLM_MODEL for this salon.")
    llm_api_key = EncryptedTextField(null=True, blank=True, help_text="Overrides LLM_API_KEY (stored encrypted).")
    monthly_budget = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="LLM spend per calendar month; empty = none."
    )
    budget_currency = models.CharField(max_length=3, default="USD")
    reply_max_delay_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="A reply that would go out later than this after the message arrived is handed to staff instead.",
    )
    formal_address = models.BooleanField(
        default=False,
        db_default=False,  # rows written by code that predates the column get it too
        help_text="Address customers formally (German Sie, Spanish usted) unless they write informally.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "assistant settings"
        verbose_name_plural = "assistant settings"
        constraints = [models.UniqueConstraint(fields=["salon"], name="assistantsettings_unique_salon")]

    def __str__(self) -> str:
        return "Assistant settings"


class PendingReply(TenantModel):
    """An inbound message the assistant still has to answer: the assistant's outbox of work (ai_conversations.pending).

    Inserted in the transaction that stores the message, deleted in the one that records the reply; a row that stays
    is handed to Celery again by the sweeper. The table holds only what is in flight (a few rows, high churn)."""

    message = models.ForeignKey("messaging.Message", on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now, help_text="When the message was stored.")
    published_at = models.DateTimeField(default=timezone.now, help_text="When it was last handed to Celery.")
    publish_count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = "pending reply"
        verbose_name_plural = "pending replies"
        constraints = [models.UniqueConstraint(fields=["salon", "message"], name="pendingreply_unique_salon_message")]
        indexes = [models.Index(fields=["published_at"], name="pendingreply_published")]

    def __str__(self) -> str:
        return f"reply to message {self.message_id}"
