"""Factories for the rollup rows (written through ``all_salons``, no scope needed)."""

from __future__ import annotations

import datetime

import factory

from analytics.models import IntentDailyStat
from salons.tests.factories import SalonFactory, TenantFactory


class IntentDailyStatFactory(TenantFactory):
    class Meta:
        model = IntentDailyStat

    salon = factory.SubFactory(SalonFactory)
    day = factory.LazyFunction(datetime.date.today)
    intent = "book"
    count = 3
