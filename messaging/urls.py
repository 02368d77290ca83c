"""Tenant routes of messaging (mounted under /api/v1/salons/<salon_id>/ by config.api_urls)."""

from django.urls import path

from messaging import api
from salons.tenancy.api import view_set_urls

salon_patterns: list = [
    *view_set_urls(
        {"conversations": api.ConversationViewSet, "messages": api.MessageViewSet, "templates": api.TemplateViewSet}
    ),
    path("whatsapp-costs/", api.CostSummaryView.as_view(), name="whatsapp-cost-summary"),
]
