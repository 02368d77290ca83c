"""``migrate`` as the owner role (DATABASE_OWNER_URL) and across salons: the app role cannot run DDL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

from config.db.wiring import url_settings
from salons.tenancy import all_salons


@contextmanager
def as_owner(alias: str) -> Iterator[None]:
    """Connect ``alias`` as the owner role for the block (no-op without DATABASE_OWNER_URL)."""
    if alias != DEFAULT_DB_ALIAS or not settings.DATABASE_OWNER_URL:
        yield
        return
    owner = url_settings(settings.DATABASE_OWNER_URL)
    connection = connections[alias]
    keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    saved = {key: connection.settings_dict.get(key) for key in keys}
    connection.close()
    connection.settings_dict.update({key: owner[key] for key in keys if owner.get(key) not in (None, "")})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


class Command(MigrateCommand):
    def handle(self, *args, **options):
        # Data migrations cross tenants: the one escape hatch of row-level security (salons/rls.py).
        with as_owner(options["database"]), all_salons():
            return super().handle(*args, **options)
