"""The webhooks dispatcher's entry point: a reply is enqueued only after the transaction commits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ai_conversations import tasks
from ai_conversations.services import assistant_enqueue_reply


@pytest.mark.django_db
def test_enqueue_reply_runs_the_task_with_ids_after_commit(salon, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr(tasks.assistant_reply, "delay", lambda **kwargs: calls.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assistant_enqueue_reply(salon=salon, message=SimpleNamespace(pk=42))
        assert calls == []

    assert len(callbacks) == 1
    assert calls == [{"salon_id": str(salon.pk), "message_id": "42"}]
