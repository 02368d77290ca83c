"""Row-level security: the suite's own connection is the app role, and the database alone keeps salons apart."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from dbops.rls import POLICY, tenant_tables, unprotected_tables
from salons.models import Customer
from salons.rls import all_salons, no_db_scope
from salons.tenancy import salon_scope
from salons.tests.factories import CustomerFactory, SalonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _customer_salons() -> set:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT salon_id FROM salons_customer")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def two_salons():
    a, b = SalonFactory(), SalonFactory()
    CustomerFactory.create_batch(2, salon=a)
    CustomerFactory.create_batch(3, salon=b)
    return a, b


def test_suite_connects_as_an_app_role_that_owns_nothing_and_bypasses_nothing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        assert cursor.fetchone()[0] == 0


def test_app_role_cannot_run_ddl():
    for statement in (
        "CREATE TABLE rls_probe (id int)",
        "ALTER TABLE salons_customer ADD COLUMN probe int",
        "ALTER TABLE salons_customer DISABLE ROW LEVEL SECURITY",
        "DROP POLICY chairside_tenant_isolation ON salons_customer",
    ):
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"), connection.cursor() as cursor:
            cursor.execute(statement)


def test_every_tenant_table_has_a_forced_policy():
    tables = tenant_tables()
    assert "bookings_booking" in tables and "salons_customer" in tables
    with connection.cursor() as cursor:
        assert unprotected_tables(cursor, tables) == [], f"add a migration running dbops.rls.enable_sql ({POLICY})"


def test_raw_sql_in_a_salon_scope_sees_only_that_salon(two_salons):
    a, b = two_salons
    with no_db_scope():
        with salon_scope(a):
            assert _customer_salons() == {a.pk}  # autocommit: one implicit transaction per statement
            with transaction.atomic():
                assert _customer_salons() == {a.pk}
                with salon_scope(b):
                    assert _customer_salons() == {b.pk}
                assert _customer_salons() == {a.pk}
        assert _customer_salons() == set()  # no scope: no tenant rows at all
        with transaction.atomic():
            with salon_scope(b):
                assert _customer_salons() == {b.pk}
            assert _customer_salons() == set()
        with all_salons():
            assert _customer_salons() == {a.pk, b.pk}


def test_scope_never_stays_on_the_connection_after_its_transaction(two_salons):
    a, _ = two_salons
    with no_db_scope():
        with transaction.atomic(), salon_scope(a):
            assert _customer_salons() == {a.pk}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('chairside.salon_id', true), current_setting('chairside.all_salons', true)"
            )
            assert cursor.fetchone() in {(None, None), ("", "")}
        assert _customer_salons() == set()


def test_rollback_to_a_savepoint_restores_the_scope_that_postgresql_restored(two_salons):
    a, b = two_salons
    with no_db_scope(), transaction.atomic(), salon_scope(a):
        assert _customer_salons() == {a.pk}
        with pytest.raises(ZeroDivisionError), transaction.atomic(), salon_scope(b):
            assert _customer_salons() == {b.pk}
            raise ZeroDivisionError
        assert _customer_salons() == {a.pk}
        with salon_scope(b):
            assert _customer_salons() == {b.pk}


def test_raw_sql_cannot_write_another_salons_row_in_a_scope(two_salons):
    a, b = two_salons
    customer_of_b = Customer.all_salons.filter(salon=b).first()
    with no_db_scope(), salon_scope(a), connection.cursor() as cursor:
        cursor.execute("UPDATE salons_customer SET name = 'taken' WHERE id = %s", [customer_of_b.pk])
        assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            cursor.execute("UPDATE salons_customer SET salon_id = %s WHERE salon_id = %s", [b.pk, a.pk])
    customer_of_b.refresh_from_db()
    assert customer_of_b.name != "taken"


def test_orm_without_its_filter_still_sees_only_the_scope(two_salons, settings):
    a, _ = two_salons
    settings.TENANCY_ORM_FILTER = False
    with no_db_scope(), salon_scope(a):
        assert set(Customer.objects.values_list("salon_id", flat=True)) == {a.pk}
        assert Customer.objects.count() == 2
