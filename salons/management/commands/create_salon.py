"""`manage.py create_salon NAME [--timezone --currency --language --owner-email --owner-password]`: prints the id."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from salons import services


class Command(BaseCommand):
    help = "Create a salon (and its first owner). Prints the new salon's id."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--timezone", default="Europe/Berlin", help="IANA time zone, e.g. Europe/Lisbon")
        parser.add_argument("--currency", default="EUR", help="ISO 4217 code")
        parser.add_argument("--language", default="en", help="ISO 639-1 code")
        parser.add_argument("--owner-email")
        parser.add_argument("--owner-password", help="Password for a new owner account (existing accounts keep theirs)")

    def handle(self, *args, **options):
        try:
            salon = services.salon_create(
                name=options["name"],
                timezone_name=options["timezone"],
                currency=options["currency"].upper(),
                language=options["language"],
                owner_email=options["owner_email"],
                owner_password=options["owner_password"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(str(salon.pk))
