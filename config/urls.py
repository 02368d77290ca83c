"""Top-level URLs: admin, health, metrics, the API (v1) and its schema, and the WhatsApp webhook."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import health, openapi  # noqa: F401 (openapi registers schema extensions)
from salons.views import invitation_accept_page

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("invitations/<str:token>/", invitation_accept_page, name="invitation-accept-page"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("webhooks/", include("webhooks.urls")),
]
