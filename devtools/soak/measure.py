"""What the soak counts once a scenario has drained, read from the database (and the fake Graph API's log of sends).

- lost_events: webhooks answered 200 whose message is not stored.
- unanswered: stored messages whose customer got no reply the fake Graph API accepted (and no handoff to staff).
- lost_bookings: bookings answered 201 that are not in the database.
- duplicate_sends: sends the fake Graph API received beyond one per outbound row (docs/messaging.md bounds them).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from django.db import OperationalError, close_old_connections, connections
from django.db.models import Q

from ai_conversations.models import AIConversation, ConversationState, PendingReply
from bookings.models import Booking
from messaging.models import Direction, Message, MessageStatus
from salons.tenancy import all_salons

DELIVERED = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)


@dataclass
class Counts:
    lost_events: int
    unanswered: int
    lost_bookings: int
    pending: int  # replies still pending, outbound rows still queued or sending

    @property
    def drained(self) -> bool:
        return self.lost_events == 0 and self.unanswered == 0 and self.pending == 0


def counts(*, salon_id: str, accepted: dict[str, str], booked: list[int]) -> Counts:
    with all_salons():
        stored = set(
            Message.all_salons.filter(salon_id=salon_id, wamid__in=list(accepted)).values_list(
                "wamid", "customer__wa_id"
            )
        )
        stored_wamids = {wamid for wamid, _ in stored}
        senders = {sender for _, sender in stored}
        answered = set(
            Message.all_salons.filter(
                salon_id=salon_id, direction=Direction.OUTBOUND, status__in=DELIVERED, customer__wa_id__in=senders
            ).values_list("customer__wa_id", flat=True)
        )
        handed_off = set(
            AIConversation.all_salons.filter(
                salon_id=salon_id, state=ConversationState.HANDED_OFF, customer__wa_id__in=senders
            ).values_list("customer__wa_id", flat=True)
        )
        pending = (
            PendingReply.all_salons.filter(salon_id=salon_id).count()
            + Message.all_salons.filter(
                Q(status=MessageStatus.QUEUED) | Q(status=MessageStatus.SENDING),
                salon_id=salon_id,
                customer__wa_id__in=senders,
            ).count()
        )
        present = set(Booking.all_salons.filter(pk__in=booked).values_list("pk", flat=True))
    return Counts(
        lost_events=len(set(accepted) - stored_wamids),
        unanswered=len(senders - answered - handed_off),
        lost_bookings=len(set(booked) - present),
        pending=pending,
    )


def wait_drained(*, salon_id: str, accepted: dict[str, str], booked: list[int], timeout: float) -> Counts:
    """Poll until the scenario's work is done (or ``timeout``); the database may still be coming back."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = counts(salon_id=salon_id, accepted=accepted, booked=booked)
        except OperationalError:
            close_old_connections()
            connections.close_all()
        if (last is not None and last.drained) or time.monotonic() > deadline:
            return last or Counts(len(accepted), len(accepted), len(booked), -1)
        time.sleep(0.5)


def duplicate_sends(*, salon_id: str, senders: set[str], sent: list[dict]) -> int:
    """Sends received for the scenario's customers beyond the outbound rows that were sent to them."""
    received = Counter(entry["payload"].get("to") for entry in sent if entry["payload"].get("to") in senders)
    with all_salons():
        rows = Counter(
            Message.all_salons.filter(
                salon_id=salon_id, direction=Direction.OUTBOUND, status__in=DELIVERED, customer__wa_id__in=senders
            ).values_list("customer__wa_id", flat=True)
        )
    return sum(max(count - rows.get(to, 0), 0) for to, count in received.items())
