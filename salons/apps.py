"""The salons app: tenants, people, customers, tenancy, and (in salons.stats) analytics."""

from django.apps import AppConfig


class SalonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "salons"

    def ready(self) -> None:
        # Lazy: salons must not import the other apps at import time (the stats signals name them by label).
        from salons.stats.signals import connect_stats_signals

        connect_stats_signals()
