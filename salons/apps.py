"""The salons app: the tenant, people and roles, API keys, customers and the tenancy mechanism (the ground floor:
it imports no other app; its daily stats live in ``analytics``)."""

from django.apps import AppConfig


class SalonsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "salons"
