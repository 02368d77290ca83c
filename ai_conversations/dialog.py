"""The booking dialog: understand an inbound message, act through the bookings services, reply via messaging."""

from __future__ import annotations

from typing import Any


def dialog_handle_inbound(*, message: Any) -> None:
    """Produce the assistant's reply to one inbound message (inside the salon's scope)."""
    raise NotImplementedError
