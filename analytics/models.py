"""The rollup tables: a salon's numbers per local day, and the assistant's intents per local day.

Both tables were created by ``salons`` and ``ai_conversations`` and keep their names: the models moved here by state
only (``analytics/migrations/0001_initial.py``), so an existing database keeps every row.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ai_conversations.models import Intent
from salons.tenancy import TenantModel


class SalonDailyStats(TenantModel):
    """One salon's numbers for one local day, built by ``analytics.services.salon_stats_rollup`` (idempotent).

    Counts follow each event's own time in the salon's zone: created/confirmed/cancelled by when that happened,
    completed, no-show and revenue by the appointment's start. Money is in ``*_currency`` beside it.
    """

    day = models.DateField(help_text="The salon's local date.")
    bookings_created = models.PositiveIntegerField(default=0)
    bookings_confirmed = models.PositiveIntegerField(default=0)
    bookings_cancelled = models.PositiveIntegerField(default=0)
    bookings_completed = models.PositiveIntegerField(default=0)
    bookings_no_show = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    revenue_currency = models.CharField(max_length=3, blank=True)
    new_customers = models.PositiveIntegerField(default=0)
    messages_in = models.PositiveIntegerField(default=0)
    messages_out = models.PositiveIntegerField(default=0)
    templates_sent = models.PositiveIntegerField(default=0)
    conversations_opened = models.PositiveIntegerField(default=0, help_text="Customer-service windows opened.")
    whatsapp_cost = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal("0"))
    whatsapp_cost_currency = models.CharField(max_length=3, blank=True)
    ai_messages = models.PositiveIntegerField(default=0, help_text="Assistant replies sent.")
    ai_tokens = models.PositiveBigIntegerField(default=0)
    ai_cost = models.DecimalField(max_digits=14, decimal_places=6, default=Decimal("0"))
    ai_cost_currency = models.CharField(max_length=3, blank=True)
    handoffs = models.PositiveIntegerField(default=0)
    first_response_median_seconds = models.FloatField(null=True, blank=True)
    first_responses = models.PositiveIntegerField(default=0, help_text="Customer turns the median is taken over.")
    is_final = models.BooleanField(default=False, help_text="Recomputed after the salon's local midnight.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "salons_salondailystats"
        verbose_name = "salon daily stats"
        verbose_name_plural = "salon daily stats"
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["salon", "day"], name="salondailystats_unique_salon_day")]

    def __str__(self) -> str:
        return f"{self.day}"


class IntentDailyStat(TenantModel):
    """Inbound messages per salon, local day and intent (built by ``analytics.services.intent_stats_rollup`` from
    ``AIMessage.intent``)."""

    day = models.DateField()
    intent = models.CharField(max_length=24, choices=Intent.choices)
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ai_conversations_intentdailystat"
        ordering = ["-day", "intent"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "day", "intent"], name="intentstat_unique_salon_day_intent"),
            models.CheckConstraint(condition=Q(intent__in=Intent.values), name="intentstat_intent_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.intent}: {self.count}"
