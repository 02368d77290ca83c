"""Talk to a salon's assistant without Meta: signed webhook → processing → assistant → outbound, all in-process.

Used by ``manage.py chat`` and the end-to-end tests (the admin's "Try your assistant" page takes the sandbox path of
``ai_conversations.sandbox`` instead, with nothing patched). Each turn builds the
webhook body Meta would send (text, button or list reply), signs it with the first WHATSAPP_APP_SECRETS entry, POSTs
it to the real ``/webhooks/whatsapp/`` view, drains the stored event with the real processor, and runs the Celery
tasks it enqueues (the assistant's reply, the outbound sends) inline. Outbound messages go to the Graph API at
WHATSAPP_GRAPH_BASE_URL: point it at the fake Graph server (``fake_graph_server``) — never at Meta.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from ai_conversations import tasks as ai_tasks
from ai_conversations.models import AIMessage
from ai_conversations.models import Direction as TurnDirection
from ai_conversations.sandbox import customer_message, tap_message
from devtools.fake_graph import FakeGraphServer
from messaging import tasks as messaging_tasks
from messaging.models import Direction, Message
from salons.models import Salon
from webhooks.relay import events_drain
from webhooks.services import sign

# Inline task execution patches module-level task objects: one playground turn at a time per process.
_TURN_LOCK = threading.Lock()


@contextmanager
def inline_tasks() -> Iterator[None]:
    """Run the assistant's reply task and the outbound send task synchronously when they are enqueued."""

    def reply_now(args: Any = None, kwargs: dict | None = None, **_: Any) -> None:
        ai_tasks.assistant_reply(**(kwargs or {}))

    def send_now(args: Any = None, kwargs: dict | None = None, countdown: float | None = None, **_: Any) -> None:
        if countdown:  # a retry later: the playground does not wait for it
            return
        messaging_tasks.message_send(**(kwargs or {}))

    with (
        mock.patch.object(ai_tasks.assistant_reply, "apply_async", reply_now),
        mock.patch.object(messaging_tasks.message_send, "apply_async", send_now),
    ):
        yield


def webhook_payload(*, salon: Salon, wa_id: str, name: str, message: dict, bsuid: str = "", username: str = "") -> dict:
    """Meta's message webhook; since 2026 the contact has the BSUID (``user_id``) and ``wa_id`` only when shared."""
    contact: dict = {"profile": {"name": name, **({"username": username} if username else {})}}
    contact.update({"wa_id": wa_id} if wa_id else {})
    contact.update({"user_id": bsuid} if bsuid else {})
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": salon.waba_id or "0",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": salon.display_phone_number or "0",
                                "phone_number_id": salon.phone_number_id,
                            },
                            "contacts": [contact],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


@dataclass
class Turn:
    status_code: int
    replies: list  # outbound messaging.Message rows, oldest first


class Playground:
    """A customer (by phone, or by BSUID with the phone withheld) chatting with ``salon``'s assistant through the
    real inbound path."""

    def __init__(
        self,
        *,
        salon: Salon,
        phone: str = "",
        name: str = "Playground customer",
        wait_seconds: float = 15.0,
        bsuid: str = "",
        username: str = "",
    ):
        if not salon.phone_number_id:
            raise ValueError("The salon has no WhatsApp phone_number_id: connect a number (or a demo one) first.")
        self.salon = salon
        self.wa_id = phone.lstrip("+").replace(" ", "")
        self.bsuid, self.username = bsuid, username
        self.name = name
        self.client = Client()
        # When a relay and workers are running (``make run``) they may take the event first: wait for their reply.
        self.wait_seconds = wait_seconds

    # --- what the customer does ---------------------------------------------------------------------------------
    def say(self, text: str) -> Turn:
        return self.send(customer_message(wa_id=self.wa_id, bsuid=self.bsuid, text=text))

    def tap(self, reply_id: str, title: str = "") -> Turn:
        """Tap a reply button (``book:yes``) or a list row (``slot:…``) of an interactive message."""
        return self.send(tap_message(wa_id=self.wa_id, bsuid=self.bsuid, reply_id=reply_id, title=title))

    def press_template_button(self, payload: str, title: str = "") -> Turn:
        """A quick-reply button of a template (the reminder's Confirm / Reschedule / Cancel)."""
        return self.send(customer_message(wa_id=self.wa_id, bsuid=self.bsuid, button=(payload, title or payload)))

    # --- the path -----------------------------------------------------------------------------------------------
    def send(self, message: dict) -> Turn:
        body = json.dumps(
            webhook_payload(
                salon=self.salon,
                wa_id=self.wa_id,
                name=self.name,
                message=message,
                bsuid=self.bsuid,
                username=self.username,
            ),
            separators=(",", ":"),
        ).encode()
        signature = sign(body=body, secret=settings.WHATSAPP_APP_SECRETS[0])
        before = Message.all_salons.filter(salon=self.salon).order_by("-pk").values_list("pk", flat=True).first() or 0
        with _TURN_LOCK, inline_tasks():
            response = self.client.post(
                "/webhooks/whatsapp/",
                data=body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=signature,
            )
            _run_on_commit(lambda: events_drain(batch_size=50))
        self._wait_for_the_assistant(message["id"])
        customer = {"customer__bsuid": self.bsuid} if self.bsuid else {"customer__wa_id": self.wa_id}
        replies = list(
            Message.all_salons.filter(
                salon=self.salon, pk__gt=before, direction=Direction.OUTBOUND, **customer
            ).order_by("pk")
        )
        return Turn(status_code=response.status_code, replies=replies)

    def _wait_for_the_assistant(self, wamid: str) -> None:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            inbound = Message.all_salons.filter(salon=self.salon, wamid=wamid).only("pk").first()
            if (
                inbound is not None
                and AIMessage.all_salons.filter(
                    salon=self.salon, direction=TurnDirection.INBOUND, whatsapp_message_id=str(inbound.pk)
                ).exists()
            ):
                return
            if time.monotonic() >= deadline:
                return
            time.sleep(0.2)


def _run_on_commit(func) -> None:
    """Run ``func``; inside an outer transaction (tests) also run the on-commit callbacks it registers."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        func()
        return
    start = len(connection.run_on_commit)
    func()
    # Tests wrap everything in a transaction that never commits: run what a commit would have run, in order.
    while len(connection.run_on_commit) > start:
        _, callback, _ = connection.run_on_commit.pop(start)
        callback()


@contextmanager
def fake_graph_server() -> Iterator[Any]:
    """Start the project's fake Graph API on a free loopback port and point WHATSAPP_GRAPH_BASE_URL at it."""
    server = FakeGraphServer(
        accept_unknown_tokens=True,
        app_secret=settings.WHATSAPP_APP_SECRETS[0],
        timeout_seconds=settings.WHATSAPP_HTTP_TIMEOUT_SECONDS + 1.0,
    ).start()
    try:
        with override_settings(WHATSAPP_GRAPH_BASE_URL=server.base_url):
            yield server
    finally:
        server.stop()
