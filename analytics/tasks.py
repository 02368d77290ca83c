"""Celery tasks of analytics (queue ``rollups``): refresh today's stats rows, finalise yesterday's after local
midnight, and roll up the assistant's intents."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from analytics.models import SalonDailyStats
from analytics.services import intent_stats_rollup, salon_stats_rollup
from salons.models import Salon
from salons.tenancy import current_salon, salon_task


@shared_task(name="analytics.tasks.stats_refresh_all", ignore_result=True)
def stats_refresh_all() -> int:
    """Every few minutes: today's row of every active salon, and yesterday's final row where it is still missing
    (the first run after each salon's local midnight)."""
    now = timezone.now()
    salons = list(Salon.objects.filter(is_active=True).only("pk", "timezone"))
    finals = set(
        SalonDailyStats.all_salons.filter(is_final=True, day__gte=now.date() - timedelta(days=2)).values_list(
            "salon_id", "day"
        )
    )
    for salon in salons:
        today = now.astimezone(salon.tz).date()
        days = [today.isoformat()]
        if (salon.pk, today - timedelta(days=1)) not in finals:
            days.insert(0, (today - timedelta(days=1)).isoformat())
        stats_rollup_salon.delay(salon_id=str(salon.pk), days=days)
    return len(salons)


@shared_task(name="analytics.tasks.stats_finalise_yesterday_all", ignore_result=True)
def stats_finalise_yesterday_all() -> int:
    """Hourly: recompute yesterday's final row of every active salon, so late status webhooks (pricing) count."""
    now = timezone.now()
    salons = list(Salon.objects.filter(is_active=True).only("pk", "timezone"))
    for salon in salons:
        yesterday = now.astimezone(salon.tz).date() - timedelta(days=1)
        stats_rollup_salon.delay(salon_id=str(salon.pk), days=[yesterday.isoformat()])
    return len(salons)


@shared_task(name="analytics.tasks.stats_rollup_salon", ignore_result=True)
@salon_task
def stats_rollup_salon(*, salon_id: str, days: list[str]) -> None:
    salon = current_salon()
    for day in days:
        salon_stats_rollup(salon=salon, day=date.fromisoformat(day))


@shared_task(name="analytics.tasks.intent_stats_rollup_all", ignore_result=True)
def intent_stats_rollup_all() -> int:
    """Fan out one task per active salon (today and yesterday in each salon's zone, so late messages count)."""
    salon_ids = list(Salon.objects.filter(is_active=True).values_list("pk", flat=True))
    for salon_id in salon_ids:
        intent_stats_rollup_salon.delay(salon_id=str(salon_id))
    return len(salon_ids)


@shared_task(name="analytics.tasks.intent_stats_rollup_salon", ignore_result=True)
@salon_task
def intent_stats_rollup_salon(*, salon_id: str) -> None:
    salon = current_salon()
    today = timezone.now().astimezone(salon.tz).date()
    for day in (today - timedelta(days=1), today):
        intent_stats_rollup(salon=salon, day=day)
