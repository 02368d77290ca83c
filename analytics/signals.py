"""Signals that bump a salon's stats version when rows the stats count are written (connected from
``AnalyticsConfig.ready``). The writing apps know nothing of this: analytics listens to their models' own
``post_save``/``post_delete``."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from analytics.cache import stats_version_bump

# Senders by "app_label.Model" label: Django resolves them once every app's models are loaded.
COUNTED_MODELS = (
    "salons.Customer",
    "bookings.Booking",
    "messaging.Message",
    "ai_conversations.AIMessage",
    "ai_conversations.AIConversation",
)


def _bump_on_commit(sender, instance, **kwargs) -> None:
    # After commit: a reader between the write and its commit would otherwise cache the old numbers as new.
    transaction.on_commit(partial(stats_version_bump, instance.salon_id))


def connect_stats_signals() -> None:
    for label in COUNTED_MODELS:
        for signal in (post_save, post_delete):
            signal.connect(_bump_on_commit, sender=label, dispatch_uid=f"stats-version-{signal is post_save}-{label}")
