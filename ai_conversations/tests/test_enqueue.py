"""The webhooks dispatcher's entry point: the message is marked pending at once, its reply is published after commit."""

from __future__ import annotations

import pytest
from celery.app.task import Task

from ai_conversations.models import PendingReply
from ai_conversations.services import assistant_enqueue_reply
from messaging.tests.factories import MessageFactory


@pytest.mark.django_db
def test_enqueue_reply_marks_the_message_and_publishes_the_task_after_commit(
    salon, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(Task, "apply_async", lambda task, args=None, kwargs=None, **o: calls.append(kwargs))
    message = MessageFactory(salon=salon, direction="inbound", status="received")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assistant_enqueue_reply(salon=salon, message=message)
        assert calls == []
        assert PendingReply.all_salons.filter(salon=salon, message=message).exists()

    assert len(callbacks) == 1
    assert calls == [{"salon_id": str(salon.pk), "message_id": str(message.pk)}]
