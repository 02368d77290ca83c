"""Retention: delete what is older than each table's retention period, in small batches (no long locks or bloat spikes).

Four tables grow without bound: WhatsApp messages, assistant turns, booking events and raw webhook events. Each has a
period in days (``settings.RETENTION_DAYS``, from the environment; 0 keeps rows forever). Deletes go through the ORM
in batches of primary keys, one short transaction each, so cascades and ``SET NULL`` references (a reply to a purged
message) are handled as everywhere else. The rollups (``SalonDailyStats``) keep the numbers after the rows are gone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger("chairside.retention")


@dataclass(frozen=True)
class Policy:
    model: str  # app_label.ModelName
    time_field: str
    keep: Q = field(default_factory=Q)  # rows matching this are never purged
    why: str = ""

    def manager(self):
        model = apps.get_model(self.model)
        # Cross-tenant on purpose: retention applies to every salon alike (tenant models' explicit escape hatch).
        return model.all_salons if hasattr(model, "all_salons") else model._default_manager


POLICIES: dict[str, Policy] = {
    "messages": Policy(
        "messaging.Message",
        "created_at",
        keep=Q(status__in=["queued", "sending"]),
        why="WhatsApp messages (the outbox rows still to send are kept)",
    ),
    "ai_messages": Policy("ai_conversations.AIMessage", "created_at", why="assistant turns (intent, tokens, cost)"),
    "booking_events": Policy("bookings.BookingEvent", "created_at", why="booking history entries"),
    "webhook_events": Policy(
        "webhooks.WebhookEvent",
        "received_at",
        keep=~Q(status__in=["processed", "ignored"]),
        why="raw webhook bodies (failed ones are kept for replay)",
    ),
}


@dataclass
class PurgeResult:
    name: str
    cutoff: datetime | None
    deleted: int = 0
    batches: int = 0
    finished: bool = True


def retention_purge(
    *,
    name: str,
    days: int | None = None,
    batch_size: int = 2000,
    now: datetime | None = None,
    dry_run: bool = False,
    max_seconds: float | None = None,
    progress: Callable[[PurgeResult], None] | None = None,
) -> PurgeResult:
    """Delete ``name``'s rows older than its retention (``days`` overrides the setting); 0 days keeps everything.

    ``dry_run`` only counts. ``max_seconds`` stops between batches (the next run continues where this one stopped).
    """
    policy = POLICIES[name]
    days = settings.RETENTION_DAYS[name] if days is None else days
    if days <= 0:
        return PurgeResult(name=name, cutoff=None)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = policy.manager().filter(**{f"{policy.time_field}__lt": cutoff}).exclude(policy.keep)
    result = PurgeResult(name=name, cutoff=cutoff)
    if dry_run:
        result.deleted = due.count()
        return result
    started = time.monotonic()
    while True:
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            result.finished = False
            break
        with transaction.atomic():
            ids = list(due.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            deleted = policy.manager().filter(pk__in=ids).delete()[1].get(policy.model, 0)
        result.deleted += deleted
        result.batches += 1
        if progress:
            progress(result)
    logger.info(
        "retention purge",
        extra={"table": name, "deleted": result.deleted, "days": days, "finished": result.finished},
    )
    return result
