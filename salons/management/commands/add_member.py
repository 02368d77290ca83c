"""`manage.py add_member --salon ID|SLUG --email E --role R (--password P | --invite)`: give a person a role in a salon.

With ``--password`` the operator adds the person at once (creating the account, or setting the password of an existing
one). With ``--invite`` an invitation is created and emailed like ``POST members/``, and its single-use link is printed
so the operator can pass it on; the membership starts when the person accepts.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from config.api import DomainError
from salons import services
from salons.management.commands._common import salon_from_arg
from salons.models import Role, User


class Command(BaseCommand):
    help = "Add a person to a salon with a role (--password), or invite them (--invite)."

    def add_arguments(self, parser):
        parser.add_argument("--salon", required=True, help="Salon id or slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--password", help="Add now and set this password (for a new or an existing account)")
        how.add_argument("--invite", action="store_true", help="Email an invitation and print its link")

    def handle(self, *args, **options):
        salon = salon_from_arg(options["salon"])
        try:
            if options["invite"]:
                invitation, token = services.invitation_create(
                    salon=salon, email=options["email"], role=options["role"]
                )
                self.stdout.write(
                    f"Invited {invitation.email} as {invitation.role} of {salon.name}; the link (valid until "
                    f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC, works once):\n{services.invitation_accept_url(token)}"
                )
                return
            exists = User.objects.filter(email__iexact=options["email"].strip()).exists()
            if not exists and not options["password"]:
                raise CommandError("No account has this email: give --password, or send an invitation with --invite.")
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
