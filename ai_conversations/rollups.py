"""Rollup tasks of the assistant (queue ``rollups``): intents per salon, local day and intent."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from salons.models import Salon
from salons.tenancy import salon_task


@shared_task(name="ai_conversations.rollups.intent_stats_rollup_all", ignore_result=True)
def intent_stats_rollup_all() -> int:
    """Fan out one task per active salon (today and yesterday in each salon's zone, so late messages count)."""
    salon_ids = list(Salon.objects.filter(is_active=True).values_list("pk", flat=True))
    for salon_id in salon_ids:
        intent_stats_rollup_salon.delay(salon_id=str(salon_id))
    return len(salon_ids)


@shared_task(name="ai_conversations.rollups.intent_stats_rollup_salon", ignore_result=True)
@salon_task
def intent_stats_rollup_salon(*, salon_id: str) -> None:
    from ai_conversations.services import intent_stats_rollup
    from salons.tenancy import current_salon

    salon = current_salon()
    today = timezone.now().astimezone(salon.tz).date()
    for day in (today - timedelta(days=1), today):
        intent_stats_rollup(salon=salon, day=day)
