"""The analytics app: rollups, the stats API and its cache, the admin dashboard's numbers, the query benchmarks."""

from django.apps import AppConfig

from analytics.signals import connect_stats_signals


class AnalyticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analytics"

    def ready(self) -> None:
        connect_stats_signals()
