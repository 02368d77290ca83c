"""Handing work to Celery after a commit, without ever turning a broker failure into the caller's failure.

Every task published here refers to a row that is the durable record of the work (an outbound message in the outbox,
a pending assistant reply): if the publish fails (the broker is down or restarting), the row stays and its sweeper
publishes it again. So a failed publish is logged and swallowed, never raised into a request (which already committed)
or into the webhook relay's batch. See docs/operations.md, "After-commit side effects".
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger("chairside.publish")


def publish(task: Any, *, kwargs: dict[str, Any], **options: Any) -> bool:
    """``task.apply_async(kwargs=kwargs, **options)``; False (logged) when the broker refused or was unreachable."""
    try:
        task.apply_async(kwargs=kwargs, **options)
    except Exception as exc:  # kombu's OperationalError, redis errors, timeouts: all mean "the sweeper will do it"
        logger.warning(
            "task publish failed; its sweeper will publish it again",
            extra={"task": getattr(task, "name", str(task)), "error": f"{type(exc).__name__}: {exc}"[:300]},
        )
        return False
    return True


def publish_on_commit(task: Any, *, kwargs: dict[str, Any], **options: Any) -> None:
    """Publish after the surrounding transaction commits (at once outside one); failures as in ``publish``."""
    transaction.on_commit(partial(publish, task, kwargs=kwargs, **options))
