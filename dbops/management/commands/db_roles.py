"""Create or update the owner, app and read-only roles and their grants (idempotent; run by an administrator)."""

from __future__ import annotations

import environ
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.db.wiring import url_settings
from dbops.roles import Roles, apply_roles


class Command(BaseCommand):
    help = (
        "Create/update the database roles from DATABASE_OWNER_URL (owner), DATABASE_URL (app) and "
        "DATABASE_READONLY_URL (read-only), with their passwords, and grant them their rights. Connects as the "
        "administrator given by --admin-url (default: DATABASE_ADMIN_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin-url", default=None, help="A superuser's URL (default: $DATABASE_ADMIN_URL).")
        parser.add_argument(
            "--app-login",
            action="append",
            default=[],
            metavar="NAME[:PASSWORD]",
            help="An extra login role acting as the app role (repeatable; for password rotation).",
        )

    def handle(self, *args, admin_url, app_login, **options):
        admin_url = admin_url or environ.Env().str("DATABASE_ADMIN_URL", default="")
        if not admin_url:
            raise CommandError("give --admin-url or DATABASE_ADMIN_URL (a superuser of the server)")
        app = settings.DATABASES["default"]
        owner = url_settings(settings.DATABASE_OWNER_URL)
        readonly = url_settings(settings.DATABASE_READONLY_URL)
        if not owner.get("USER"):
            raise CommandError("DATABASE_OWNER_URL must name the owner role")
        if owner["USER"] == app.get("USER"):
            raise CommandError("DATABASE_URL must use the app role, not the owner")
        passwords = {config["USER"]: config["PASSWORD"] for config in (app, owner, readonly) if config.get("PASSWORD")}
        logins = []
        for item in app_login:
            name, _, password = item.partition(":")
            logins.append(name)
            if password:
                passwords[name] = password
        roles = Roles(
            owner=owner["USER"], app=app["USER"], readonly=readonly.get("USER"), passwords=passwords, app_logins=logins
        )
        admin = url_settings(admin_url)
        with psycopg.connect(
            host=admin.get("HOST") or None,
            port=admin.get("PORT") or None,
            user=admin.get("USER") or None,
            password=admin.get("PASSWORD") or None,
            dbname=app["NAME"],
            sslmode=settings.DB_SSLMODE,
            autocommit=True,
        ) as conn:
            apply_roles(conn.cursor(), database=app["NAME"], roles=roles)
        self.stdout.write(
            f"roles applied on {app['NAME']}: owner={roles.owner} app={roles.app} readonly={roles.readonly or '-'}"
        )
