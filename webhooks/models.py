"""The raw inbound webhook log: one row per distinct POST body from Meta, the source of truth for processing."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from salons.base_models import text_choices

EventStatus = text_choices("EventStatus", "received processing processed partially_failed failed ignored")

# An "invalid" item can never be processed (webhooks.validation says why): it is recorded once, never retried.
ItemStatus = text_choices("ItemStatus", "processed ignored failed invalid")


class WebhookEvent(models.Model):
    """One signed POST body exactly as Meta sent it, stored before anything else happens.

    This is deliberately NOT a ``TenantModel``: the event is stored before any salon is known (the request path does
    one INSERT and nothing else), and one POST may batch updates for several salons' numbers. The salon is resolved per
    item while processing (``metadata.phone_number_id`` for messages and statuses, the WABA id for template events);
    ``salon_ids`` then records which salons the items belonged to, for filtering only. Tenant data is only ever
    written inside ``salon_scope`` of the resolved salon.

    ``next_attempt_at`` is the one "when may a worker take this" column: the receive time for a new event, the lease
    expiry while ``processing`` (a dead worker's event becomes due again by itself), the backoff time of a retry, and
    NULL once nothing more will happen (processed, ignored, finally failed). ``attempts`` doubles as the fencing token
    of a claim. ``results`` maps each item's key (``<entry>.<change>.m<i>`` etc.) to its outcome, so that a retry
    skips what already succeeded.
    """

    body = models.BinaryField(help_text="The raw request bytes (the signature covers exactly these).")
    # 32 raw bytes, not 64 hex characters: the unique index compares bytes (no collation) and is half the size,
    # which is most of what this index costs on every ingest INSERT.
    body_sha256 = models.BinaryField(
        max_length=32, help_text="SHA-256 of the body (absorbs byte-identical redeliveries)."
    )
    received_at = models.DateTimeField(db_default=Now())
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.RECEIVED, db_default=EventStatus.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_default=Now())
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="", db_default="")
    results = models.JSONField(default=dict, db_default={}, blank=True)
    salon_ids = ArrayField(models.UUIDField(), default=list, db_default=[], blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="webhookevent_status_valid"),
            # A constraint, not unique=True: no extra varchar_pattern_ops index to maintain on every insert.
            models.UniqueConstraint(fields=["body_sha256"], name="webhookevent_unique_body_sha256"),
        ]
        indexes = [
            # The relay's claim query: an index range scan over what is due, nothing else.
            models.Index(
                fields=["next_attempt_at"], condition=Q(next_attempt_at__isnull=False), name="webhookevent_due"
            ),
            # Only the events an operator looks for; a new event (received) never touches this index.
            models.Index(
                fields=["received_at"],
                condition=Q(status__in=[EventStatus.FAILED, EventStatus.PARTIALLY_FAILED]),
                name="webhookevent_failed",
            ),
            # Append-only by time: a BRIN index serves time-range replay for almost nothing per insert.
            BrinIndex(fields=["received_at"], name="webhookevent_received_brin"),
        ]

    def __str__(self) -> str:
        return f"webhook event {self.pk} ({self.status})"

    @property
    def body_bytes(self) -> bytes:
        return bytes(self.body or b"")
