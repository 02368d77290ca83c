"""Behind PgBouncer in transaction mode: the relay leaves no session state on a shared server connection."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from tests.pooling import django_through, through_pgbouncer_requested
from webhooks import relay
from webhooks.models import EventStatus, WebhookEvent
from webhooks.tests.payloads import body_of, messages_change, payload_of, text_message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_assistant")]


def _other_client(bouncer, dbname: str, user: str) -> tuple[int, str, str]:
    """Another application's transaction through the same pooler: its server pid and how it would commit.

    It logs in as the same user as the relay (the test database's app role): PgBouncer pools server connections per
    database and user, so only then can it be handed the relay's server connection."""
    with psycopg.connect(host="127.0.0.1", port=bouncer.port, user=user, dbname=dbname) as conn:
        pid, setting = conn.execute("SELECT pg_backend_pid(), current_setting('synchronous_commit')").fetchone()
        level = conn.execute("SHOW synchronous_commit").fetchone()[0]
        conn.commit()
    return pid, setting, level


def _server_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_relay_drain_never_leaks_asynchronous_commit_to_another_client_on_the_same_server_connection(
    pgbouncer, post_signed, fixture_salon, monkeypatch
):
    for number in range(3):
        payload = payload_of(messages_change(messages=[text_message(f"wamid.POOL{number}")]))
        assert post_signed(body_of(payload)).status_code == 200
    dbname, user = connection.settings_dict["NAME"], connection.settings_dict["USER"]
    bouncer = pgbouncer(pool_size=1)  # one server connection: the relay and the other client take turns on it
    seen = []
    real_process_batch = relay._process_batch

    def process_batch_while_another_client_commits(claimed):
        # Between the relay's claim and its processing transactions: the server connection is free for others.
        seen.append(_other_client(bouncer, dbname, user))
        done = real_process_batch(claimed)
        seen.append(_other_client(bouncer, dbname, user))
        return done

    monkeypatch.setattr(relay, "_process_batch", process_batch_while_another_client_commits)
    with django_through(bouncer):
        relay_pid = _server_pid(connection)
        assert relay.events_drain(batch_size=10) == 3
        last_pid = _server_pid(connection)

    assert {pid for pid, _, _ in seen} == {relay_pid} == {last_pid}  # truly the same server connection
    assert [(setting, level) for _, setting, level in seen] == [("on", "on"), ("on", "on")]
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}


def test_plain_connections_never_prepare_statements_behind_the_pooler(pgbouncer):
    bouncer = pgbouncer(pool_size=1)
    with django_through(bouncer), psycopg.connect(**relay.plain_connection_params(), autocommit=True) as conn:
        for _ in range(8):  # past psycopg's default prepare threshold (5)
            assert conn.execute("SELECT count(*) FROM webhooks_webhookevent WHERE id > %s", [0]).fetchone()
        assert conn.prepare_threshold is None


@pytest.mark.skipif(not through_pgbouncer_requested(), reason="only with TEST_THROUGH_PGBOUNCER=1")
def test_with_test_through_pgbouncer_every_test_connection_goes_through_the_pooler(_session_through_pgbouncer):
    bouncer = _session_through_pgbouncer
    assert connection.settings_dict["PORT"] == str(bouncer.port) and connection.settings_dict["POOLER"] == "pgbouncer"
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == connection.settings_dict["NAME"]
    clients = bouncer.admin("SHOW CLIENTS")
    assert any(row[2] == connection.settings_dict["NAME"] for row in clients)  # (type, user, database, ...)
