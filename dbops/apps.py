"""The dbops app: operating PostgreSQL (backups and drills, health, pooling and replicas, roles); no tenant data."""

from django.apps import AppConfig


class DbopsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dbops"
    verbose_name = "Database operations"

    def ready(self) -> None:
        from dbops import checks  # noqa: F401 - registers the deploy checks
