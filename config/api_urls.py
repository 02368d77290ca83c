"""Everything under /api/v1/. Tenant routes live under salons/<salon_id>/ and are in the isolation suite."""

from django.urls import include, path

urlpatterns = [
    path("", include("salons.urls")),
]
