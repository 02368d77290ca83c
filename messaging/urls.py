"""Tenant routes of messaging (mounted under /api/v1/salons/<salon_id>/ by config.api_urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from messaging import api

router = SimpleRouter()
router.register("conversations", api.ConversationViewSet, basename="conversation")
router.register("messages", api.MessageViewSet, basename="message")
router.register("templates", api.TemplateViewSet, basename="template")

salon_patterns: list = [
    *router.urls,
    path("whatsapp-costs/", api.CostSummaryView.as_view(), name="whatsapp-cost-summary"),
]
