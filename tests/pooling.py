"""Tests through PgBouncer in transaction mode: start one in front of the test database, point Django's connections at
it with the settings ``DATABASE_POOLER=pgbouncer`` implies, and point them back.

``TEST_THROUGH_PGBOUNCER=1`` (``.ci/run``) does this for a whole session (the root conftest); single tests use the
``pgbouncer`` fixture (a pool of their own, e.g. one server connection to prove what two clients share).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

from dbops.pgbouncer import PgBouncer
from tests.tools import require_tool

_direct_server: list[dict] = []  # the server's own settings while Django is pointed at a pooler (outermost first)


def _server_settings() -> dict:
    return _direct_server[0] if _direct_server else connections["default"].settings_dict


def through_pgbouncer_requested() -> bool:
    return os.environ.get("TEST_THROUGH_PGBOUNCER") == "1"


def start_pgbouncer(*, pool_size: int = 40, **kwargs) -> PgBouncer:
    """A transaction-mode PgBouncer in front of the server that holds the (test) database."""
    params = _server_settings()
    user = params.get("USER") or "postgres"
    return PgBouncer(
        require_tool("pgbouncer"),
        upstream_host=params.get("HOST") or "127.0.0.1",
        upstream_port=int(params.get("PORT") or 5432),
        pool_size=pool_size,
        users=tuple({user, "postgres"}),
        admin_user=user,
        **kwargs,
    ).start()


@contextmanager
def django_through(bouncer: PgBouncer) -> Iterator[None]:
    """Django's default connection goes through ``bouncer`` with the pooler's restrictions; restored afterwards.

    The relay's ``LISTEN`` keeps going to the server directly (``DATABASE_DIRECT_PARAMS``), as in production."""
    conn = connections["default"]
    saved = copy.deepcopy(conn.settings_dict)
    saved_direct, saved_pooler = settings.DATABASE_DIRECT_PARAMS, settings.DATABASE_POOLER
    conn.close()
    direct = conn.get_connection_params() if not _direct_server else settings.DATABASE_DIRECT_PARAMS
    _direct_server.append(saved)
    settings.DATABASE_DIRECT_PARAMS = {
        key: direct[key] for key in ("dbname", "user", "password", "host", "port") if direct.get(key)
    }
    settings.DATABASE_POOLER = "pgbouncer"
    conn.settings_dict.update(
        HOST="127.0.0.1", PORT=str(bouncer.port), POOLER="pgbouncer", DISABLE_SERVER_SIDE_CURSORS=True
    )
    options = conn.settings_dict.setdefault("OPTIONS", {})
    options["prepare_threshold"] = None
    options.pop("options", None)
    try:
        yield
    finally:
        conn.close()
        _direct_server.pop()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)
        settings.DATABASE_DIRECT_PARAMS, settings.DATABASE_POOLER = saved_direct, saved_pooler
