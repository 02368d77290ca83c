"""Read replicas on a real streaming pair (a throwaway primary and its ``pg_basebackup -R`` hot standby, PostgreSQL 18
from the embedded binaries): opted-in reads go to a replica once it has the row, a request or task that wrote reads
its own writes from the primary, and a replica that is down or lags past the limit is skipped."""

from __future__ import annotations

import copy

import pytest
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from config.db import routing
from config.db.routing import PIN_COOKIE, ReplicaPinMiddleware, end_life, replica_reads, start_life
from dbops.replication import throwaway_pair, wait_for_replay
from salons.models import Salon
from salons.tests.factories import SalonFactory
from tests.children import wait_until
from tests.clusters import app_role_on, copy_test_schema, django_on

# Not wrapped in a test transaction: the tests point the default connection at the pair's primary.
pytestmark = pytest.mark.django_db(transaction=True)

DBNAME = "chairside_replica_test"


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    """Primary + replica holding the test database's schema (dumped from it, so it is always the current one)."""
    with django_db_blocker.unblock(), throwaway_pair() as (primary, replica):
        copy_test_schema(primary, DBNAME)
        app_role_on(primary, DBNAME)
        wait_for_replay(primary, replica)
        yield primary, replica


@pytest.fixture
def routed(pair, django_db_blocker, settings):
    """Django's default database is the pair's primary and ``replica_1`` its replica, for one test."""
    primary, replica = pair
    settings.DB_REPLICA_MAX_LAG_SECONDS = 3600
    with django_db_blocker.unblock(), django_on(primary, DBNAME):
        connections.settings["replica_1"] = {
            **copy.deepcopy(connections["default"].settings_dict),
            "PORT": str(replica.port),
        }
        routing.forget_replica_health()
        token = start_life()
        try:
            yield primary, replica
        finally:
            end_life(token)
            if replica.execute("SELECT pg_is_wal_replay_paused()")[0][0]:
                replica.execute("SELECT pg_wal_replay_resume()")
            connections["replica_1"].close()
            del connections["replica_1"]
            del connections.settings["replica_1"]
            routing.forget_replica_health()


def written_elsewhere(**kwargs) -> Salon:
    """A row written by another request (its own routing life)."""
    token = start_life()
    try:
        return SalonFactory(**kwargs)
    finally:
        end_life(token)


def test_a_row_written_on_the_primary_is_read_from_the_replica_after_it_arrives(routed):
    primary, replica = routed
    salon = written_elsewhere(name="Arrived")
    wait_for_replay(primary, replica)
    with replica_reads():
        query = Salon.objects.filter(pk=salon.pk)
        assert query.db == "replica_1"
        assert query.get().name == "Arrived"
    # Not opted in: the primary.
    assert Salon.objects.filter(pk=salon.pk).db == "default"


def test_opted_in_reads_really_come_from_the_replica(routed):
    _primary, replica = routed
    replica.execute("SELECT pg_wal_replay_pause()")
    salon = written_elsewhere(name="Not replayed yet")
    with replica_reads():
        assert not Salon.objects.filter(pk=salon.pk).exists()  # the replica has not replayed it (limit: 1 h)
    assert Salon.objects.filter(pk=salon.pk).exists()


def test_a_request_that_wrote_reads_its_own_write_from_the_primary(routed):
    _primary, replica = routed
    replica.execute("SELECT pg_wal_replay_pause()")  # the replica will not have it: only the primary can answer

    def view(request):
        with replica_reads():
            assert Salon.objects.filter(slug="fresh").db == "replica_1"  # nothing written yet: the replica
            SalonFactory(slug="fresh", name="Mine")
            query = Salon.objects.filter(slug="fresh")
            return HttpResponse(f"{query.db}:{query.get().name}")

    response = ReplicaPinMiddleware(view)(RequestFactory().post("/"))
    assert response.content == b"default:Mine"
    assert PIN_COOKIE in response.cookies  # the browser's next request (the redirect after a POST) reads the primary

    def next_request(request):
        with replica_reads():
            return HttpResponse(Salon.objects.filter(slug="fresh").db)

    follow_up = RequestFactory().get("/")
    follow_up.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    assert ReplicaPinMiddleware(next_request)(follow_up).content == b"default"
    assert ReplicaPinMiddleware(next_request)(RequestFactory().get("/")).content == b"replica_1"


def test_reads_inside_a_transaction_or_locking_rows_use_the_primary(routed):
    salon = written_elsewhere()
    with replica_reads(), transaction.atomic():
        assert Salon.objects.filter(pk=salon.pk).db == "default"
        assert Salon.objects.select_for_update().filter(pk=salon.pk).db == "default"


def test_a_replica_whose_replay_is_paused_past_the_lag_limit_is_skipped(routed, settings):
    primary, replica = routed
    settings.DB_REPLICA_MAX_LAG_SECONDS = 0.5
    replica.execute("SELECT pg_wal_replay_pause()")
    salon = written_elsewhere(name="Lagging")
    wait_until(lambda: routing.replica_lag("replica_1") > 0.5, timeout=60)
    routing.forget_replica_health()
    with replica_reads():
        query = Salon.objects.filter(pk=salon.pk)
        assert query.db == "default"
        assert query.get().name == "Lagging"
    replica.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, replica)
    routing.forget_replica_health()
    with replica_reads():
        assert Salon.objects.filter(pk=salon.pk).db == "replica_1"  # caught up: used again


def test_a_stopped_replica_is_skipped_and_used_again_when_it_is_back(routed):
    primary, replica = routed
    salon = written_elsewhere(name="Still readable")
    replica.stop()
    try:
        routing.forget_replica_health()
        with replica_reads():
            query = Salon.objects.filter(pk=salon.pk)
            assert query.db == "default"
            assert query.get().name == "Still readable"
    finally:
        replica.start()
        replica.wait_ready()
    wait_for_replay(primary, replica)
    routing.forget_replica_health()
    with replica_reads():
        assert Salon.objects.filter(pk=salon.pk).db == "replica_1"


def test_replica_health_is_checked_at_most_once_per_interval(routed, settings, monkeypatch):
    settings.DB_REPLICA_CHECK_INTERVAL_SECONDS = 1.0
    checks = []
    real = routing.replica_lag
    monkeypatch.setattr(routing, "replica_lag", lambda alias: checks.append(alias) or real(alias))
    now = [1000.0]
    assert routing.replica_usable("replica_1", clock=lambda: now[0])
    now[0] += 0.5
    assert routing.replica_usable("replica_1", clock=lambda: now[0])
    assert checks == ["replica_1"]
    now[0] += 0.6
    assert routing.replica_usable("replica_1", clock=lambda: now[0])
    assert checks == ["replica_1", "replica_1"]
