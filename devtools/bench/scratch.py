"""Bench commands that build their own data in a scratch database (``<db>_<scratch_suffix>``), never the dev data."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection, connections


class ScratchDatabaseCommand(BaseCommand):
    """``handle`` creates the scratch database by migrations, runs ``bench(options)`` in it and drops it."""

    scratch_suffix: str

    def handle(self, *args, **options):
        settings_dict = connection.settings_dict
        original_name = settings_dict["NAME"]
        original_test = dict(settings_dict.get("TEST") or {})
        settings_dict["TEST"] = {**original_test, "NAME": f"{original_name}_{self.scratch_suffix}"}
        self.stderr.write(f"creating scratch database {settings_dict['TEST']['NAME']} (migrations)…")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self.bench(options)
        finally:
            connections.close_all()
            connection.creation.destroy_test_db(original_name, verbosity=0)
            settings_dict["TEST"] = original_test

    def bench(self, options) -> None:
        raise NotImplementedError
