"""Tests that run the app against a throwaway cluster (dbops.cluster): the test database's schema copied onto it, and
Django's default connection pointed at it for a while."""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

from dbops.cluster import Cluster, pg_bin
from dbops.roles import Roles, apply_roles

# Column attribute options (``ALTER COLUMN .. SET (..)``) are never ours: some servers add private ones that another
# build refuses.
_ATTRIBUTE_OPTIONS = re.compile(r"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(")


def copy_test_schema(cluster: Cluster, dbname: str) -> None:
    """Create ``dbname`` on ``cluster`` with the test database's schema (dumped from it: always the current one)."""
    source = connections["default"].settings_dict
    cluster.execute(f'CREATE DATABASE "{dbname}"')
    dump = subprocess.run(
        [
            pg_bin("pg_dump"),
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "-h",
            source.get("HOST") or "127.0.0.1",
            "-p",
            str(source.get("PORT") or 5432),
            "-U",
            source.get("USER") or "postgres",
            source["NAME"],
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    dump = "\n".join(line for line in dump.splitlines() if not _ATTRIBUTE_OPTIONS.match(line))
    subprocess.run(
        [pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", cluster.url(dbname)],
        input=dump,
        check=True,
        capture_output=True,
        text=True,
    )


@contextmanager
def django_on(cluster: Cluster, dbname: str) -> Iterator[None]:
    """Django's default connection (every thread's) goes to ``dbname`` on ``cluster``; restored afterwards."""
    default = connections["default"]
    saved = copy.deepcopy(default.settings_dict)
    default.close()
    default.settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port), NAME=dbname)
    default.settings_dict["OPTIONS"] = {**default.settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    try:
        yield
    finally:
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(saved)


def app_role_on(cluster: Cluster, dbname: str) -> None:
    """The suite's database role (the test database's app role: no superuser, under row-level security) on the
    throwaway ``cluster``, with its rights on ``dbname``: the app talks to the pair as it does to the test database.

    Roles are cluster-wide and WAL-logged: the replica gets the role (and its password) from the primary."""
    django_settings = connections["default"].settings_dict
    app = django_settings["USER"]
    roles = Roles(owner=f"{dbname}_owner", app=app, passwords={app: django_settings["PASSWORD"]})
    with cluster.connect(dbname=dbname) as admin:
        apply_roles(admin.cursor(), database=dbname, roles=roles)
