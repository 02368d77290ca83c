"""The dbops app: operating PostgreSQL (backups and drills, health, pooling and replicas, roles); no tenant data."""

from django.apps import AppConfig

from dbops import checks  # noqa: F401 - registers the deploy checks (it imports settings and checks, no models)


class DbopsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dbops"
    verbose_name = "Database operations"
