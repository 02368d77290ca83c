"""The project's URLs plus the bench baseline: a bare insert-only endpoint served under the same settings."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from webhooks.bench import views

urlpatterns = [
    *project_urlpatterns,
    path("bench/baseline-insert/", views.baseline_insert),
]
