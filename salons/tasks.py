"""Celery tasks of salons (queue ``rollups``): refresh today's stats rows, finalise yesterday's after local midnight."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from salons.models import Salon, SalonDailyStats
from salons.tenancy import current_salon, salon_task


@shared_task(name="salons.tasks.stats_refresh_all", ignore_result=True)
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


@shared_task(name="salons.tasks.stats_finalise_yesterday_all", ignore_result=True)
def stats_finalise_yesterday_all() -> int:
    """Hourly: recompute yesterday's final row of every active salon, so late status webhooks (pricing) count."""
    now = timezone.now()
    salons = list(Salon.objects.filter(is_active=True).only("pk", "timezone"))
    for salon in salons:
        yesterday = now.astimezone(salon.tz).date() - timedelta(days=1)
        stats_rollup_salon.delay(salon_id=str(salon.pk), days=[yesterday.isoformat()])
    return len(salons)


@shared_task(name="salons.tasks.stats_rollup_salon", ignore_result=True)
@salon_task
def stats_rollup_salon(*, salon_id: str, days: list[str]) -> None:
    from salons.stats.services import salon_stats_rollup

    salon = current_salon()
    for day in days:
        salon_stats_rollup(salon=salon, day=date.fromisoformat(day))
