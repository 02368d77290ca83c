"""The production URLs plus ``bench-ping/``: the same auth, salon scope and throttle as every tenant route, no work."""

from django.urls import path
from rest_framework.response import Response

from analytics.models import SalonDailyStats
from config.urls import urlpatterns as production_urlpatterns
from salons.tenancy.api import SalonScopedAPIView


class BenchPingView(SalonScopedAPIView):
    model = SalonDailyStats

    def get(self, request, salon_id):
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/salons/<uuid:salon_id>/bench-ping/", BenchPingView.as_view(), name="bench-ping"),
    *production_urlpatterns,
]
