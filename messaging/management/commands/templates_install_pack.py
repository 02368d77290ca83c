"""manage.py templates_install_pack --salon <id>: submit the booking template pack (en/es/pt/de) to the salon's WABA."""

from django.core.management.base import BaseCommand, CommandError

from config.api import DomainError
from messaging.booking_templates import PACK_LANGUAGES
from messaging.services import template_install_pack
from salons.models import Salon


class Command(BaseCommand):
    help = "Submit booking_confirmation, booking_reminder, booking_rescheduled and booking_cancelled for review."

    def add_arguments(self, parser):
        parser.add_argument("--salon", required=True, help="Salon id (UUID) or slug")
        parser.add_argument("--languages", default=",".join(PACK_LANGUAGES))
        parser.add_argument("--approve-locally", action="store_true", help="Mark them APPROVED without Meta (demo)")

    def handle(self, *args, **options):
        ident = options["salon"]
        salon = Salon.objects.filter(slug=ident).first()
        if salon is None:
            try:
                salon = Salon.objects.filter(pk=ident).first()
            except Exception:  # not a UUID
                salon = None
        if salon is None:
            raise CommandError(f"No salon {ident!r}")
        languages = [lang for lang in options["languages"].split(",") if lang]
        try:
            templates = template_install_pack(
                salon=salon, languages=languages, approve_locally=options["approve_locally"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for template in templates:
            self.stdout.write(f"{template.name} [{template.language}] {template.status}")
