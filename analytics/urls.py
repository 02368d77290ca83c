"""API routes of analytics, under /api/v1/salons/<uuid:salon_id>/ (mounted by config.api_urls)."""

from django.urls import path

from analytics.api import SalonStatsView

salon_patterns: list = [
    path("stats/", SalonStatsView.as_view(), name="salon-stats"),
]
