"""URLs of other databases on the default database's server (the benchmarks' scratch databases)."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def database_url(params: dict, name: str) -> str:
    """A ``postgres://`` URL for database ``name`` with the host, port and credentials of Django ``params``."""
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(params.get("HOST") or "", safe="")
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def sibling_database_url(name: str) -> str:
    """A ``DATABASE_URL`` for database ``name`` on the same server, with the same credentials, as the default one."""
    return database_url(connection.settings_dict, name)
