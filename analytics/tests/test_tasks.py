"""The rollup tasks: beat schedules them, they route to the ``rollups`` queue, and each salon's task writes its rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from ai_conversations.models import Direction as AIDirection
from analytics.models import IntentDailyStat, SalonDailyStats
from analytics.tasks import intent_stats_rollup_salon, stats_rollup_salon
from analytics.tests.helpers import make_ai_turn, make_booking
from config.celery import app
from salons.tenancy import salon_scope

ANALYTICS_BEAT_TASKS = {
    "analytics.tasks.stats_refresh_all",
    "analytics.tasks.stats_finalise_yesterday_all",
    "analytics.tasks.intent_stats_rollup_all",
}


def test_beat_runs_the_analytics_tasks_and_they_go_to_the_rollups_queue():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= ANALYTICS_BEAT_TASKS
    for name in [
        *ANALYTICS_BEAT_TASKS,
        "analytics.tasks.stats_rollup_salon",
        "analytics.tasks.intent_stats_rollup_salon",
    ]:
        assert name in app.tasks
        assert app.amqp.router.route({}, name)["queue"].name == "rollups"


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 3, 11, 12, 0, tzinfo=UTC), tick=False)  # far from any local midnight
def test_a_salons_rollup_tasks_write_its_daily_row_and_its_intents(salon, other_salon):
    now = timezone.now()
    today = now.astimezone(salon.tz).date()
    make_booking(salon, now + timedelta(hours=2), created_at=now - timedelta(minutes=5))
    make_booking(other_salon, now + timedelta(hours=2), created_at=now - timedelta(minutes=5))
    turn = make_ai_turn(salon, now - timedelta(minutes=1))
    type(turn).all_salons.filter(pk=turn.pk).update(direction=AIDirection.INBOUND, intent="book")

    stats_rollup_salon(salon_id=str(salon.pk), days=[today.isoformat()])
    intent_stats_rollup_salon(salon_id=str(salon.pk))

    row = SalonDailyStats.all_salons.get()
    assert (row.salon_id, row.day, row.bookings_created, row.is_final) == (salon.pk, today, 1, False)
    with salon_scope(salon):
        assert list(IntentDailyStat.objects.values_list("day", "intent", "count")) == [(today, "book", 1)]
    assert not IntentDailyStat.all_salons.filter(salon=other_salon).exists()
