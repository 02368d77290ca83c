"""Terminal rendering for the dbops commands: aligned tables, human sizes, and one way to reach the database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from dbops.connection import admin_dsn


@contextlib.contextmanager
def database_cursor(*, alias: str = "default", url: str | None = None) -> Iterator[Any]:
    """A cursor for server-wide statistics: on ``url`` (another server: a replica, a drill cluster), else for the
    default alias on the administrator connection (``DATABASE_ADMIN_URL``, dbops.connection.admin_dsn) when one is
    configured, else on Django's connection ``alias``.

    The app role sees only its own sessions' queries in pg_stat_activity and pg_stat_statements, and may not read
    server settings such as ``shared_preload_libraries``; the administrator sees them all. Without an administrator
    URL the commands still run as the app role and show what that role may see."""
    if url:
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
            yield cursor
        return
    if alias == DEFAULT_DB_ALIAS and getattr(settings, "DATABASE_ADMIN_URL", ""):
        with admin_dsn().connect() as conn, conn.cursor() as cursor:
            yield cursor
        return
    with connections[alias].cursor() as cursor:
        yield cursor


def human_bytes(value: Any) -> str:
    if value is None:
        return "-"
    size = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, sizes: Sequence[str] = ()) -> str:
    """Rows as an aligned text table; the ``sizes`` columns are shown as kB/MB/GB."""
    if not rows:
        return "  (none)"
    cells = [[human_bytes(row.get(c)) if c in sizes else _text(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  " + "  ".join("-" * w for w in widths))
    lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    return "\n".join(lines)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 100 else text[:97] + "..."
