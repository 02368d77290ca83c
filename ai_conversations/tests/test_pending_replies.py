"""The assistant's pending work is durable: every recovery path of a reply (ai_conversations.pending)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from celery.app.task import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from ai_conversations.models import AIConversation, AIMessage, ConversationState, PendingReply
from ai_conversations.pending import REPLY_DELAYED, replies_sweep
from ai_conversations.services import assistant_enqueue_reply, assistant_settings_save
from ai_conversations.tasks import assistant_reply
from messaging.inbound import inbound_message_receive
from messaging.models import Message
from salons.tenancy import salon_scope

SENDER = "4915123456789"


def receive(salon, text: str, wamid: str) -> Message:
    """What the webhook dispatcher does for one inbound text: store it and enqueue the reply, in one transaction."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"phone_number_id": salon.phone_number_id},
        "contacts": [{"wa_id": SENDER, "profile": {"name": "Maria Lopez"}}],
    }
    message = {"from": SENDER, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
    with salon_scope(salon), transaction.atomic():
        stored = inbound_message_receive(salon=salon, value=value, message=message).message
        assistant_enqueue_reply(salon=salon, message=stored)
    return stored


def outbound_replies(salon) -> int:
    return Message.all_salons.filter(salon=salon, direction="outbound").count()


@pytest.fixture
def published(monkeypatch):
    """Every task publish, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(
        Task, "apply_async", lambda task, args=None, kwargs=None, **o: calls.append((task.name, kwargs))
    )
    return calls


@pytest.mark.django_db
def test_the_pending_mark_commits_with_the_message_and_rolls_back_with_it(assistant_salon, published):
    message = receive(assistant_salon, "Hi", "wamid.P1")
    assert PendingReply.all_salons.filter(message=message).count() == 1

    with pytest.raises(RuntimeError), salon_scope(assistant_salon), transaction.atomic():
        value = {"metadata": {}, "contacts": []}
        raw = {
            "from": SENDER,
            "id": "wamid.P2",
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": "x"},
        }
        assistant_enqueue_reply(
            salon=assistant_salon,
            message=inbound_message_receive(salon=assistant_salon, value=value, message=raw).message,
        )
        raise RuntimeError("the item's savepoint is rolled back")
    assert not Message.all_salons.filter(wamid="wamid.P2").exists()
    assert PendingReply.all_salons.count() == 1


@pytest.mark.django_db
def test_a_reply_publish_that_fails_is_logged_and_swept(
    assistant_salon, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down(task, args=None, kwargs=None, **options):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = receive(assistant_salon, "Hi", "wamid.SWEEP1")  # the after-commit publish fails: not raised
    assert "task publish failed" in caplog.text
    pending = PendingReply.all_salons.get(message=message)
    assert pending.publish_count == 1

    published = []
    monkeypatch.setattr(
        Task, "apply_async", lambda task, args=None, kwargs=None, **o: published.append((task.name, kwargs))
    )
    assert replies_sweep() == 0  # within the grace period: its task may still be on its way
    with time_machine.travel(timezone.now() + timedelta(seconds=16), tick=False):
        assert replies_sweep() == 1
    assert published == [
        ("ai_conversations.tasks.assistant_reply", {"salon_id": str(assistant_salon.pk), "message_id": str(message.pk)})
    ]
    pending.refresh_from_db()
    assert pending.publish_count == 2  # next sweep only after 30 s: a backlog is not flooded
    with time_machine.travel(timezone.now() + timedelta(seconds=36), tick=False):
        assert replies_sweep() == 0

    assistant_reply(**published[0][1])
    assert not PendingReply.all_salons.exists()
    assert AIMessage.all_salons.filter(direction="in", whatsapp_message_id=str(message.pk)).count() == 1
    assert outbound_replies(assistant_salon) == 1


@pytest.mark.django_db
def test_a_sweep_that_cannot_publish_marks_nothing(assistant_salon, monkeypatch, published):
    message = receive(assistant_salon, "Hi", "wamid.SWEEP2")

    def broker_down(task, args=None, kwargs=None, **options):
        raise BrokerDown("connection refused")

    monkeypatch.setattr(Task, "apply_async", broker_down)
    with time_machine.travel(timezone.now() + timedelta(seconds=16), tick=False):
        assert replies_sweep() == 0
    assert PendingReply.all_salons.get(message=message).publish_count == 1  # due again at the next sweep


@pytest.mark.django_db
def test_a_reply_is_produced_once_however_often_its_task_runs(assistant_salon, published):
    message = receive(assistant_salon, "Hi", "wamid.ONCE")
    for _ in range(3):  # a duplicate publish, a redelivery after the visibility timeout…
        assistant_reply(salon_id=str(assistant_salon.pk), message_ids=[str(message.pk)])
    assert AIMessage.all_salons.filter(direction="in").count() == 1
    assert outbound_replies(assistant_salon) == 1
    assert not PendingReply.all_salons.exists()


@pytest.mark.django_db
def test_a_reply_older_than_the_salons_limit_goes_to_staff(assistant_salon, published):
    assistant_settings_save(salon=assistant_salon, data={"reply_max_delay_minutes": 5})
    message = receive(assistant_salon, "Hi, can I book a haircut tomorrow?", "wamid.LATE")
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1), tick=False):
        assistant_reply(salon_id=str(assistant_salon.pk), message_id=str(message.pk))

    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.HANDED_OFF and conversation.handoff_reason == REPLY_DELAYED
    assert outbound_replies(assistant_salon) == 0  # the stale question is not answered by the assistant
    turn = AIMessage.all_salons.get(direction="in")  # but it is in the conversation staff take over
    assert turn.whatsapp_message_id == str(message.pk)
    assert not PendingReply.all_salons.exists()


@pytest.mark.django_db
def test_a_reply_within_the_limit_is_answered(assistant_salon, published):
    message = receive(assistant_salon, "Hi", "wamid.INTIME")
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assistant_reply(salon_id=str(assistant_salon.pk), message_id=str(message.pk))
    assert AIConversation.all_salons.get(salon=assistant_salon).state == ConversationState.ACTIVE
    assert outbound_replies(assistant_salon) == 1


@pytest.mark.django_db
def test_the_reply_delay_limit_is_validated(assistant_salon):
    from config.api import DomainError

    with pytest.raises(DomainError) as raised:
        assistant_settings_save(salon=assistant_salon, data={"reply_max_delay_minutes": 0})
    assert raised.value.field == "reply_max_delay_minutes"


# A reply task in a process of its own that stops right after producing the reply, before its transaction commits.
_KILLED_WORKER = """
import sys, time
import django
django.setup()
from ai_conversations import pending, tasks
produce = pending.assistant_reply_to
def produce_then_hang(**kwargs):
    sent = produce(**kwargs)
    print("produced", len(sent), flush=True)
    time.sleep(300)
    return sent
pending.assistant_reply_to = produce_then_hang
tasks.assistant_reply(salon_id=sys.argv[1], message_id=sys.argv[2])
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_reply_leaves_it_to_the_sweeper_and_it_is_produced_once(
    assistant_salon, published
):
    message = receive(assistant_salon, "Hi", "wamid.KILLED")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": settings.DATABASE_ADMIN_URL,  # the test database
        "CELERY_BROKER_URL": "memory://",  # its after-commit publishes (never reached) go nowhere
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, str(assistant_salon.pk), str(message.pk)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert line.startswith("produced 1"), (line, worker.stderr.read() if worker.poll() is not None else "")
        assert outbound_replies(assistant_salon) == 0  # produced in its transaction, not committed
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    # The kill rolled the reply back: still pending, nothing half-done.
    assert worker.returncode == -signal.SIGKILL
    assert PendingReply.all_salons.filter(message=message).exists()
    assert not AIMessage.all_salons.exists() and outbound_replies(assistant_salon) == 0

    published.clear()  # the publish after the message was stored (the task the dead worker had taken)
    with time_machine.travel(timezone.now() + timedelta(seconds=16), tick=False):
        assert replies_sweep() == 1
    [(_name, kwargs)] = published
    assistant_reply(**kwargs)
    assistant_reply(**kwargs)  # and the broker's own redelivery of the lost task, later: nothing more
    assert AIMessage.all_salons.filter(direction="in").count() == 1
    assert outbound_replies(assistant_salon) == 1
    assert not PendingReply.all_salons.exists()


@pytest.mark.django_db
def test_the_relay_batch_survives_a_broker_that_is_down_and_leaves_the_reply_pending(
    assistant_salon, monkeypatch, django_capture_on_commit_callbacks
):
    from devtools.soak.load import inbound_body
    from devtools.soak.target import Target
    from webhooks.models import EventStatus, WebhookEvent
    from webhooks.relay import events_drain
    from webhooks.services import event_ingest

    def broker_down(task, args=None, kwargs=None, **options):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", broker_down)
    target = Target(
        salon_id=str(assistant_salon.pk),
        phone_number_id=assistant_salon.phone_number_id,
        waba_id=assistant_salon.waba_id,
        api_key="",
        service_id=0,
        staff_id=0,
        customer_ids=[],
        secret="",
        base_url="",
        graph_url="",
    )
    for n in range(3):
        event_ingest(body=inbound_body(target, sender=f"49170000000{n}", wamid=f"wamid.DOWN{n}"))
    with django_capture_on_commit_callbacks(execute=True):
        assert events_drain(batch_size=50) == 3

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    assert PendingReply.all_salons.filter(salon=assistant_salon).count() == 3  # for the sweeper
