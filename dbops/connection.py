"""The one place dbops' commands get their database connection from (backups, restores, drills).

It is ``DATABASE_ADMIN_URL`` when set, else Django's ``DATABASES['default']``. The app role is subject to forced
row-level security and cannot create databases, so with the roles in place (docs/database-roles.md) the
administrator URL is required: the role needs to read every table with row security off (a superuser, or
``BYPASSRLS``), and ``CREATEDB`` for restores and drills.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import psycopg
from django.conf import settings

from config.db.wiring import url_settings


@dataclass(frozen=True)
class Dsn:
    """Connection parameters for libpq clients (psycopg, pg_dump, pg_restore) without a password in argv."""

    dbname: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    sslmode: str = ""

    def using(self, dbname: str) -> Dsn:
        return replace(self, dbname=dbname)

    def env(self) -> dict[str, str]:
        """libpq environment variables for a child process (so the password never shows in ``ps``)."""
        values = {
            "PGDATABASE": self.dbname,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGSSLMODE": self.sslmode,
        }
        return {key: value for key, value in values.items() if value}

    def connect(self, dbname: str | None = None, **kwargs) -> psycopg.Connection:
        params = {
            "dbname": dbname or self.dbname,
            "host": self.host or None,
            "port": self.port or None,
            "user": self.user or None,
            "password": self.password or None,
            "sslmode": self.sslmode or None,
        }
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True, **kwargs)

    def describe(self) -> str:
        where = self.host or "local socket"
        return f"{self.dbname} on {where}{':' + self.port if self.port else ''}"


def admin_dsn(dbname: str | None = None) -> Dsn:
    """The connection dbops uses (see the module docstring); ``dbname`` overrides the database."""
    db = settings.DATABASES["default"]
    if getattr(settings, "DATABASE_ADMIN_URL", ""):
        db = url_settings(settings.DATABASE_ADMIN_URL)
    options = db.get("OPTIONS") or {}
    return Dsn(
        dbname=dbname or db["NAME"],
        host=str(db.get("HOST") or ""),
        port=str(db.get("PORT") or ""),
        user=str(db.get("USER") or ""),
        password=str(db.get("PASSWORD") or ""),
        sslmode=str(options.get("sslmode") or ""),
    )
