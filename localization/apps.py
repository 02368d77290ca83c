"""The localization app: its ``locale/`` folder holds the project's one gettext catalog per language."""

from django.apps import AppConfig


class LocalizationConfig(AppConfig):
    name = "localization"
    verbose_name = "Localisation"
