"""Coalesced side effects: work that normally runs once per call runs once per batch inside ``coalescing()``.

The webhook relay processes events one transaction at a time, and each committed event used to fire its own
after-commit side effects: a Redis INCR for the salon's stats version and a Celery publish for the assistant's reply
(together as much CPU as the rest of an inbound message's processing: bench/RESULTS.md, "Measurements quoted from
the code").
Inside ``coalescing()`` those calls are collected and flushed together when the block ends (the stats version is
bumped once per salon, the replies go out as a few tasks carrying several messages each). Outside it, nothing
changes: each call is flushed at once.

The items are collected after their transaction committed (callers still register through ``on_commit``), so what
is flushed always refers to committed rows; the block flushes in ``finally``, so an exception in the batch does not
drop what was already committed. A process killed inside the block loses its unflushed items; see docs/webhooks.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any

logger = logging.getLogger("chairside.coalesce")

_REGISTRY: list[Coalesced] = []


class Coalesced:
    """A side effect called with one item at a time and flushed with a list of items."""

    def __init__(self, name: str, flush: Callable[[list[Any]], None]) -> None:
        self.name, self._flush = name, flush
        self._pending: ContextVar[list[Any] | None] = ContextVar(f"coalesced_{name}", default=None)

    def __call__(self, item: Any) -> None:
        pending = self._pending.get()
        if pending is None:
            self._flush([item])
        else:
            pending.append(item)

    @contextmanager
    def batch(self) -> Iterator[None]:
        if self._pending.get() is not None:  # already batching (nested): the outer block flushes
            yield
            return
        token = self._pending.set([])
        try:
            yield
        finally:
            items = self._pending.get() or []
            self._pending.reset(token)
            if items:
                try:
                    self._flush(items)
                except Exception:  # a side effect must not turn committed work into a failure
                    logger.exception(
                        "coalesced side effect failed", extra={"side_effect": self.name, "items": len(items)}
                    )


def coalesced(name: str) -> Callable[[Callable[[list[Any]], None]], Coalesced]:
    """Decorator: turn ``flush(items)`` into a registered ``Coalesced`` that ``coalescing()`` batches."""

    def register(flush: Callable[[list[Any]], None]) -> Coalesced:
        side_effect = Coalesced(name, flush)
        _REGISTRY.append(side_effect)
        return side_effect

    return register


@contextmanager
def coalescing() -> Iterator[None]:
    """Batch every registered side effect until the block ends."""
    with ExitStack() as stack:
        for side_effect in list(_REGISTRY):
            stack.enter_context(side_effect.batch())
        yield
