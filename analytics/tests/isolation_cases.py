"""How the isolation suite exercises analytics: the stats route, and the intents' admin rows by factory."""

from __future__ import annotations

from analytics.models import IntentDailyStat
from analytics.tests.factories import IntentDailyStatFactory
from tests.isolation.cases import RouteCase

CASES = [RouteCase("salon-stats", query={"granularity": "week"})]

ADMIN_FACTORIES = {
    IntentDailyStat: lambda salon: IntentDailyStatFactory(salon=salon),
}
