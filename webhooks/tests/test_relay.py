"""The relay: batches claimed with SKIP LOCKED and a lease, crashes that lose nothing, fencing of stale claims,
the safety-net beat task, replay and purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from messaging.models import Message
from webhooks import tasks
from webhooks.models import EventStatus, WebhookEvent
from webhooks.processor import event_process
from webhooks.relay import events_claim, events_drain
from webhooks.tests.payloads import body_of, messages_change, payload_of, text_message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_assistant")]


def receive(post_signed, count: int, prefix: str = "wamid.R") -> list[str]:
    wamids = [f"{prefix}{i:04d}" for i in range(count)]
    for wamid in wamids:
        assert post_signed(body_of(payload_of(messages_change(messages=[text_message(wamid)])))).status_code == 200
    return wamids


def expire_leases() -> None:
    WebhookEvent.objects.filter(status=EventStatus.PROCESSING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def assert_each_processed_exactly_once(wamids: list[str]) -> None:
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert sorted(Message.all_salons.values_list("wamid", flat=True)) == sorted(wamids)


def test_claim_takes_due_events_oldest_first_and_leases_them(post_signed, fixture_salon):
    receive(post_signed, 5)
    first = events_claim(limit=3)
    assert [claim.attempt for claim in first] == [1, 1, 1]
    assert all(claim.body.startswith(b"{") and claim.results == {} for claim in first)  # nothing to read again
    assert first == sorted(first)
    second = events_claim(limit=10)
    assert {c.event_id for c in first}.isdisjoint({c.event_id for c in second}) and len(second) == 2
    assert events_claim(limit=10) == []  # all leased
    leased = WebhookEvent.objects.get(pk=first[0].event_id)
    assert leased.status == EventStatus.PROCESSING
    assert leased.next_attempt_at > timezone.now() + timedelta(seconds=30)


def test_worker_that_claims_a_batch_and_dies_loses_nothing(post_signed, fixture_salon):
    wamids = receive(post_signed, 7)
    claimed = events_claim(limit=5)  # ... and the worker is killed before processing any of them
    assert len(claimed) == 5
    assert events_drain() == 2  # the others go on; the dead worker's batch waits for its lease
    assert WebhookEvent.objects.filter(status=EventStatus.PROCESSING).count() == 5
    expire_leases()
    assert events_drain() == 5
    assert_each_processed_exactly_once(wamids)
    redone = WebhookEvent.objects.filter(pk__in=[c.event_id for c in claimed])
    assert set(redone.values_list("attempts", flat=True)) == {2}


def test_worker_killed_in_the_middle_of_an_event_rolls_back_and_the_event_is_redone(
    post_signed, fixture_salon, monkeypatch
):
    from messaging import inbound

    payload = payload_of(messages_change(messages=[text_message("wamid.K1"), text_message("wamid.K2")]))
    assert post_signed(body_of(payload)).status_code == 200
    real = inbound.inbound_message_receive

    def dies_on_the_second(*, salon, value, message):
        if message["id"] == "wamid.K2":
            raise SystemExit("worker killed")  # not an Exception: nothing catches it, like SIGKILL mid-way
        return real(salon=salon, value=value, message=message)

    monkeypatch.setattr(inbound, "inbound_message_receive", dies_on_the_second)
    with pytest.raises(SystemExit):
        events_drain()
    assert not Message.all_salons.exists()  # wamid.K1's row was rolled back with the event's transaction
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSING

    monkeypatch.setattr(inbound, "inbound_message_receive", real)  # a fresh worker
    assert events_drain() == 0  # leased
    expire_leases()
    events_drain()
    assert_each_processed_exactly_once(["wamid.K1", "wamid.K2"])


def test_stale_claim_after_a_lost_lease_does_nothing(post_signed, fixture_salon):
    wamids = receive(post_signed, 1)
    [slow] = events_claim(limit=1)  # a slow worker ...
    event_id, slow_attempt = slow.event_id, slow.attempt
    expire_leases()
    [current] = events_claim(limit=1)  # ... loses its lease to another one
    same_id, attempt = current.event_id, current.attempt
    assert same_id == event_id and attempt == slow_attempt + 1
    assert event_process(event_id=event_id, attempt=attempt) == EventStatus.PROCESSED
    assert event_process(event_id=event_id, attempt=slow_attempt) is None  # the slow one wakes up: fenced off
    assert_each_processed_exactly_once(wamids)


def test_stale_worker_with_the_body_in_hand_is_fenced_by_the_final_update(post_signed, fixture_salon):
    wamids = receive(post_signed, 1)
    [slow] = events_claim(limit=1)
    expire_leases()
    [current] = events_claim(limit=1)
    # The slow worker wakes up first and processes the body its claim returned: its final UPDATE matches no row, so
    # everything it wrote is rolled back ...
    assert event_process(event_id=slow.event_id, attempt=slow.attempt, claimed=slow) is None
    assert not Message.all_salons.exists()
    assert WebhookEvent.objects.get().status == EventStatus.PROCESSING
    # ... and the current owner applies it exactly once.
    assert event_process(event_id=current.event_id, attempt=current.attempt, claimed=current) == EventStatus.PROCESSED
    assert_each_processed_exactly_once(wamids)


def test_event_whose_worker_keeps_dying_is_given_up_after_the_last_attempt(post_signed, fixture_salon, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receive(post_signed, 1)
    for _ in range(2):
        events_claim(limit=1)
        expire_leases()
    [claim] = events_claim(limit=1)
    event_id, attempt = claim.event_id, claim.attempt
    assert attempt == 3
    assert event_process(event_id=event_id, attempt=attempt) == EventStatus.FAILED
    event = WebhookEvent.objects.get()
    assert event.next_attempt_at is None
    assert event.last_error == "gave up: the worker was lost on 2 attempts"


def test_relay_loop_drains_and_stops_when_idle(post_signed, fixture_salon):
    from webhooks.relay import Relay

    wamids = receive(post_signed, 3)
    Relay(batch_size=2, poll_interval=0.01, listen=False).run(max_idle_loops=1)
    assert_each_processed_exactly_once(wamids)


def test_relay_polls_again_quickly_while_events_arrive_and_slowly_when_idle(post_signed, fixture_salon, monkeypatch):
    from webhooks.relay import Relay

    relay = Relay(batch_size=50, poll_interval=0.2, busy_poll_interval=0.02, listen=False)
    waits = []
    monkeypatch.setattr(relay, "_wait", waits.append)
    receive(post_signed, 2)
    relay.run(max_idle_loops=2)  # work, nothing, nothing
    assert waits == [0.02, 0.2]


def test_safety_net_task_processes_only_what_waited_a_few_seconds(post_signed, fixture_salon):
    old, new = receive(post_signed, 1, "wamid.OLD"), receive(post_signed, 1, "wamid.NEW")
    old_event = WebhookEvent.objects.order_by("pk").first()
    WebhookEvent.objects.filter(pk=old_event.pk).update(received_at=timezone.now() - timedelta(seconds=30))
    assert tasks.process_due_events(min_age_seconds=5) == 1
    assert list(Message.all_salons.values_list("wamid", flat=True)) == old
    assert WebhookEvent.objects.filter(status=EventStatus.RECEIVED).count() == 1
    assert new


def test_replay_by_id_reruns_what_was_ignored(post_signed, db):
    from salons.tests.factories import SalonFactory
    from webhooks.tests.payloads import PHONE_NUMBER_ID, WABA_ID

    wamids = receive(post_signed, 1)
    events_drain()
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    SalonFactory(phone_number_id=PHONE_NUMBER_ID, waba_id=WABA_ID)  # the number is connected later
    call_command("webhooks_replay", str(event.pk), "--process")
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED and event.attempts == 1
    assert_each_processed_exactly_once(wamids)


def test_replay_failed_and_by_time_range(post_signed, fixture_salon, settings, monkeypatch):
    from messaging import inbound

    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    real = inbound.inbound_message_receive
    monkeypatch.setattr(inbound, "inbound_message_receive", lambda **kw: 1 / 0)
    wamids = receive(post_signed, 2)
    events_drain()
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.FAILED}
    monkeypatch.setattr(inbound, "inbound_message_receive", real)

    first = WebhookEvent.objects.order_by("pk").first()
    since = (first.received_at - timedelta(seconds=1)).isoformat()
    until = (first.received_at + timedelta(microseconds=1)).isoformat()
    call_command("webhooks_replay", "--since", since, "--until", until, "--process")
    assert Message.all_salons.count() == 1
    call_command("webhooks_replay", "--failed", "--process")
    assert_each_processed_exactly_once(wamids)


def test_replay_never_touches_a_body_that_is_not_json(post_signed, db):
    assert post_signed(b"not json").status_code == 400
    call_command("webhooks_replay", "--failed")
    assert WebhookEvent.objects.get().status == EventStatus.FAILED


def test_purge_deletes_only_old_processed_and_ignored_events(post_signed, fixture_salon, settings, monkeypatch):
    receive(post_signed, 3)
    events_drain()
    assert post_signed(b"not json").status_code == 400
    ids = list(WebhookEvent.objects.order_by("pk").values_list("pk", flat=True))
    WebhookEvent.objects.filter(pk__in=[ids[0], ids[1], ids[3]]).update(received_at=timezone.now() - timedelta(days=31))
    WebhookEvent.objects.filter(pk=ids[1]).update(status=EventStatus.IGNORED)
    call_command("webhooks_purge", "--older-than", "30d")
    assert list(WebhookEvent.objects.order_by("pk").values_list("pk", flat=True)) == [ids[2], ids[3]]
    assert tasks.purge_processed_events(older_than_days=0) == 1


@pytest.mark.django_db(transaction=True)
def test_ingest_notifies_listening_relays_when_enabled(post_signed, settings):
    import psycopg

    from webhooks.relay import listen_connection_params
    from webhooks.services import NOTIFY_CHANNEL

    with psycopg.connect(**listen_connection_params(), autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        settings.WEBHOOKS_NOTIFY = False
        receive(post_signed, 1, "wamid.QUIET")
        assert list(listener.notifies(timeout=0.3)) == []
        settings.WEBHOOKS_NOTIFY = True
        receive(post_signed, 1, "wamid.LOUD")
        assert [n.channel for n in listener.notifies(timeout=5, stop_after=1)] == [NOTIFY_CHANNEL]
