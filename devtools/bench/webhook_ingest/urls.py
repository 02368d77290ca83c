"""The bench URLconf: the baseline view first (a bare Django project would have only it), then the project's URLs."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from devtools.bench.webhook_ingest import views

urlpatterns = [
    path("bench/baseline-insert/", views.baseline_insert),
    *project_urlpatterns,
]
