"""Run the Celery tasks a test published, as a worker would: taken off the test broker, run in this process.

Tests publish real tasks (``tests/broker.py``). A test that follows work across queues (a page that publishes the
assistant's reply, a reply that publishes its send) calls ``run_published_tasks`` where a worker would take them.
The tasks run in the test's transaction; what they publish after commit is published when each round ends (the
on-commit callbacks are run then, as a commit would), and taken in the next round.
"""

from __future__ import annotations

from django.test import TestCase

from config.celery import QUEUES, app


def run_published_tasks(*, limit: int = 100) -> list[str]:
    """Take every published task off the queues and run it, round after round, until none is left; their names."""
    ran: list[str] = []
    while True:
        with TestCase.captureOnCommitCallbacks(execute=True):
            names = _run_queued(limit=limit - len(ran))
        if not names:
            return ran
        ran += names


def _run_queued(*, limit: int) -> list[str]:
    ran: list[str] = []
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        while True:
            message = next((m for queue in QUEUES if (m := channel.basic_get(queue, no_ack=True)) is not None), None)
            if message is None:
                return ran
            if len(ran) >= limit:
                raise AssertionError(f"tasks still being published after the limit: {ran[-5:]}")
            args, kwargs, _options = message.decode()
            name = message.headers["task"]
            app.tasks[name](*args, **kwargs)
            ran.append(name)
