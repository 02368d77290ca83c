"""`manage.py add_member --salon ID|SLUG --email E --role R [--password P]`: give a person a role in a salon."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from config.api import DomainError
from salons import services
from salons.management.commands._common import salon_from_arg
from salons.models import Role, User


class Command(BaseCommand):
    help = "Add a person (created if new) to a salon with a role."

    def add_arguments(self, parser):
        parser.add_argument("--salon", required=True, help="Salon id or slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="Set this password (for a new or an existing account)")

    def handle(self, *args, **options):
        salon = salon_from_arg(options["salon"])
        try:
            membership = services.member_add(
                salon=salon, email=options["email"], role=options["role"], password=options["password"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if options["password"]:
            # An operator may (re)set a password; the API never can.
            user = User.objects.get(pk=membership.user_id)
            user.set_password(options["password"])
            user.save(update_fields=["password"])
        self.stdout.write(f"{membership.user.email} is now {membership.role} of {salon.name} ({salon.pk})")
