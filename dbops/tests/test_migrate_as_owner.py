"""``manage.py migrate`` (dbops' own) connects as DATABASE_OWNER_URL: the app role cannot run DDL."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection

from conftest import TEST_ROLE_PASSWORD, roles_for_test_database
from dbops.management.commands.migrate import as_owner

pytestmark = pytest.mark.django_db(transaction=True)


def _current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


def test_migrate_connects_as_the_owner_role_and_hands_the_connection_back(settings):
    params = connection.settings_dict
    owner = roles_for_test_database(params["NAME"]).owner
    host = params.get("HOST") or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    settings.DATABASE_OWNER_URL = (
        f"postgres://{owner}:{quote(TEST_ROLE_PASSWORD, safe='')}@{quote(host, safe='')}{port}/{params['NAME']}"
    )
    app = _current_user()
    assert app.endswith("_app")
    with as_owner("default"):
        assert _current_user() == owner
        with connection.cursor() as cursor:  # the owner may run DDL
            cursor.execute("CREATE TEMPORARY TABLE owner_probe (id int)")
    assert _current_user() == app
