"""`manage.py create_api_key --salon ID|SLUG --name N [--scope read|write]`: prints the key, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from salons import services
from salons.management.commands._common import salon_from_arg
from salons.models import ApiKeyScope


class Command(BaseCommand):
    help = "Create an API key for a salon. The key is printed once and stored only as a hash."

    def add_arguments(self, parser):
        parser.add_argument("--salon", required=True, help="Salon id or slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", choices=ApiKeyScope.values, default=ApiKeyScope.READ)

    def handle(self, *args, **options):
        salon = salon_from_arg(options["salon"])
        api_key, raw_key = services.api_key_create(salon=salon, name=options["name"], scope=options["scope"])
        self.stderr.write(
            f"API key {api_key.prefix}… ({api_key.scope}) for {salon.name}. Store it now: it is not shown again."
        )
        self.stdout.write(raw_key)
