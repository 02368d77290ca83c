"""Suite-wide fixtures: real PostgreSQL and Redis (never SQLite, never a fake cache), API clients per role."""

from __future__ import annotations

import os

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient

from config.db.urls import database_url
from dbops.rls import set_enforced, tenant_tables
from dbops.roles import Roles, apply_roles
from localization.catalogs import compile_catalogs
from salons.models import Role
from salons.rls import all_salons
from salons.tests.factories import ApiKeyFactory, MembershipFactory, SalonFactory, UserFactory
from tests.pooling import django_through, start_pgbouncer, through_pgbouncer_requested

pytest_plugins = [
    "devtools.testing.messaging",
    "devtools.testing.ai_conversations",
    "tests.pinned_dates",
    "tests.broker",
]

TEST_ROLE_PASSWORD = "chairside-test-role"  # a throwaway test database's roles


def pytest_configure(config):
    """The gettext catalogs compiled before any test translates (``make test`` compiles them too; plain ``pytest``
    would otherwise run with untranslated text)."""
    compile_catalogs()


def roles_for_test_database(database: str) -> Roles:
    """The owner, app and read-only roles of one test database (roles are server-wide: named after the database)."""
    names = {"owner": f"{database}_owner", "app": f"{database}_app", "readonly": f"{database}_ro"}
    return Roles(**names, passwords=dict.fromkeys(names.values(), TEST_ROLE_PASSWORD))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create and migrate the test database as the configured (administrator) user, hand it to an owner role, then
    run the whole suite as the app role: no owner, no superuser, every query under row-level security.

    ``CHAIRSIDE_TEST_RLS=off`` disables the policies (the control run: the isolation suite must then fail with
    ``CHAIRSIDE_TEST_ORM_FILTER=off``)."""
    saved = {}
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            settings_dict = connection.settings_dict
            database = settings_dict["NAME"]
            roles = roles_for_test_database(database)
            admin_params = {
                "host": settings_dict.get("HOST") or None,
                "port": settings_dict.get("PORT") or None,
                "user": settings_dict.get("USER") or None,
                "password": settings_dict.get("PASSWORD") or None,
                "sslmode": settings_dict["OPTIONS"].get("sslmode", "prefer"),
            }
            with psycopg.connect(**admin_params, dbname=database, autocommit=True) as admin:
                cursor = admin.cursor()
                apply_roles(cursor, database=database, roles=roles)
                # Only the test database's app role may empty tables (transactional tests flush between tests).
                cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{roles.app}"')
                cursor.execute(f'GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{roles.app}"')
                if os.environ.get("CHAIRSIDE_TEST_RLS") == "off":
                    set_enforced(cursor, tenant_tables(), enforced=False)
            saved[alias] = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
            if alias == "default":
                # Backups, restores and drills (dbops.connection.admin_dsn) keep the administrator, as in production.
                django_settings.DATABASE_ADMIN_URL = database_url(settings_dict, database)
            connection.close()
            connection.settings_dict.update(USER=roles.app, PASSWORD=TEST_ROLE_PASSWORD)
    yield
    for alias, values in saved.items():
        connections[alias].close()
        connections[alias].settings_dict.update(values)


@pytest.fixture(autouse=True)
def _tests_cross_salons():
    """A test's own setup and assertions act as an operator: across salons (the escape hatch of row-level security).

    The code under test does not inherit it: every request starts with no database scope
    (``salons.rls.NoDatabaseScopeMiddleware``, first in the test settings), and its views, tasks and services set
    their own scope. Tests of the policies themselves use ``salons.rls.no_db_scope()``."""
    if os.environ.get("CHAIRSIDE_TEST_AMBIENT_ALL_SALONS") == "off":  # to audit code paths that cross salons
        yield
        return
    with all_salons():
        yield


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache; only this run's keys are touched (the Redis may be shared)."""
    yield
    client = cache.client.get_client(write=True)
    prefix = cache.key_prefix
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


@pytest.fixture(scope="session", autouse=True)
def _session_through_pgbouncer(request):
    """``TEST_THROUGH_PGBOUNCER=1``: every test talks to its database through a PgBouncer in transaction mode.

    The test database is created (and dropped) directly; only the tests' connections go through the pooler."""
    if not through_pgbouncer_requested():
        yield None
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        bouncer = start_pgbouncer()
    try:
        with django_through(bouncer):
            yield bouncer
    finally:
        bouncer.destroy()


@pytest.fixture
def pgbouncer(django_db_blocker):
    """Start a PgBouncer (transaction mode) for one test: ``pgbouncer(pool_size=1)``; stopped afterwards."""
    started = []

    def _start(**kwargs):
        with django_db_blocker.unblock():
            started.append(start_pgbouncer(**kwargs))
        return started[-1]

    yield _start
    for bouncer in started:
        bouncer.destroy()


@pytest.fixture
def salon(db):
    return SalonFactory()


@pytest.fixture
def other_salon(db):
    return SalonFactory()


@pytest.fixture
def make_member(db):
    def _make(salon, role=Role.OWNER, **user_kwargs):
        return MembershipFactory(salon=salon, role=role, user=UserFactory(**user_kwargs)).user

    return _make


@pytest.fixture
def owner(salon, make_member):
    return make_member(salon, Role.OWNER)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def owner_client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def api_key(salon):
    return ApiKeyFactory(salon=salon)
