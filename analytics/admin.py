"""Admin of analytics: the assistant's intents per day (read-only; the rollup task writes them). The daily stats
rows are read through the dashboard on the admin index (``analytics.dashboard``), not as a change list."""

from __future__ import annotations

from django.contrib import admin

from analytics.models import IntentDailyStat
from salons.tenancy.admin import ReadOnlyTenantAdmin


@admin.register(IntentDailyStat)
class IntentDailyStatAdmin(ReadOnlyTenantAdmin):
    list_display = ["day", "intent", "count"]
    list_filter = ["intent"]
    date_hierarchy = "day"
    ordering = ["-day", "intent"]
