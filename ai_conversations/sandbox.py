"""The admin's "Try your assistant": a staff member writes to their salon's assistant as a sandbox customer.

A message takes the path of a real one: ``inbound_message_receive`` stores it (as the webhook processor does for
Meta's webhooks), ``assistant_enqueue_reply`` publishes the assistant's task, a worker answers, and the replies go
to the outbox. Only the last step differs: the sender never sends a sandbox conversation's messages to Meta
(``messaging.sandbox``), it marks them "sandbox". Nothing in the web process is patched or run inline.

Also here: how an outbound message reads in a terminal or a page (``describe``) and the options it offers
(``choices``), for the page and ``manage.py chat``.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage
from ai_conversations.models import Direction as TurnDirection
from ai_conversations.services import assistant_enqueue_reply
from messaging.inbound import inbound_message_receive
from messaging.models import Direction, Message
from messaging.sandbox import sandbox_conversation_for, sandbox_customer, sandbox_wa_id
from salons.models import Salon, User

# Reply ids the dialog sends as list rows (the others are reply buttons).
LIST_ROW_PREFIXES = ("slot:", "svc:", "resched:")
# How long the page waits (refreshing itself) for a worker to answer before it says none did.
REPLY_WAIT = timedelta(seconds=60)

_counter = itertools.count(1)


# --- what a customer sends (one item of a webhook's ``value.messages``) ----------------------------------------------
def customer_message(
    *,
    wa_id: str = "",
    bsuid: str = "",
    text: str | None = None,
    button: tuple[str, str] | None = None,
    list_reply=None,
    reply=None,
) -> dict:
    """A text, a template quick-reply (``button``: payload, title), or an interactive reply (list row or button);
    ``from`` only when the phone number is shared, ``from_user_id`` when the user has a BSUID."""
    message: dict = {**({"from": wa_id} if wa_id else {}), **({"from_user_id": bsuid} if bsuid else {})}
    message.update(id=f"wamid.PLAY{uuid.uuid4().hex[:20]}{next(_counter)}", timestamp=str(int(time.time())))
    if button is not None:
        payload, title = button
        message.update(type="button", button={"payload": payload, "text": title})
    elif list_reply is not None:
        row_id, title = list_reply
        message.update(
            type="interactive", interactive={"type": "list_reply", "list_reply": {"id": row_id, "title": title}}
        )
    elif reply is not None:
        button_id, title = reply
        message.update(
            type="interactive", interactive={"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        )
    else:
        message.update(type="text", text={"body": text or ""})
    return message


def tap_message(*, wa_id: str = "", bsuid: str = "", reply_id: str, title: str = "") -> dict:
    """Tapping a reply button (``book:yes``) or a list row (``slot:…``) of an interactive message."""
    if reply_id.startswith(LIST_ROW_PREFIXES):
        return customer_message(wa_id=wa_id, bsuid=bsuid, list_reply=(reply_id, title or reply_id))
    return customer_message(wa_id=wa_id, bsuid=bsuid, reply=(reply_id, title or reply_id))


# --- the sandbox ------------------------------------------------------------------------------------------------------
def sandbox_name(user: User) -> str:
    return f"Sandbox · {user.full_name or user.email}"[:200]


@transaction.atomic
def sandbox_send(*, salon: Salon, user: User, text: str = "", reply_id: str = "", reply_title: str = "") -> Message:
    """``user`` writes ``text`` (or taps ``reply_id``) to the current salon's assistant as their sandbox customer.

    Stores the inbound message and publishes the assistant's task after commit, as the webhook processor does for a
    real message (a STOP/START keyword is answered by messaging, not the assistant, there as here)."""
    wa_id = sandbox_wa_id(user_id=user.pk)
    name = sandbox_name(user)
    sandbox_conversation_for(salon=salon, wa_id=wa_id, name=name)
    if reply_id:
        message = tap_message(wa_id=wa_id, reply_id=reply_id, title=reply_title)
    else:
        message = customer_message(wa_id=wa_id, text=text)
    value = {"contacts": [{"wa_id": wa_id, "profile": {"name": name}}]}
    result = inbound_message_receive(salon=salon, value=value, message=message)
    if result.created and not result.keyword:
        assistant_enqueue_reply(salon=salon, message=result.message)
    return result.message


@dataclass
class SandboxChat:
    conversation: AIConversation | None = None
    transcript: list[AIMessage] = field(default_factory=list)
    replies: list[Message] = field(default_factory=list)  # the outbound messages, with their "sandbox" status
    choices: list[tuple[str, str]] = field(default_factory=list)  # what the last reply offers to tap
    waiting: bool = False  # the last message is not answered yet (a worker has not taken it)
    unanswered: bool = False  # ... for longer than REPLY_WAIT: no worker seems to run


def sandbox_chat(*, user: User, now=None) -> SandboxChat:
    """``user``'s sandbox chat with the current salon's assistant, as the page shows it."""
    customer = sandbox_customer(wa_id=sandbox_wa_id(user_id=user.pk))
    if customer is None:
        return SandboxChat()
    messages = list(Message.objects.filter(customer=customer).order_by("pk"))
    replies = [m for m in messages if m.direction == Direction.OUTBOUND]
    conversation = AIConversation.objects.filter(customer=customer).first()
    transcript = list(conversation.messages.order_by("created_at", "id")) if conversation else []
    chat = SandboxChat(conversation, transcript, replies, choices(replies[-1]) if replies else [])
    last_inbound = next((m for m in reversed(messages) if m.direction == Direction.INBOUND), None)
    if last_inbound is not None and not any(
        turn.direction == TurnDirection.INBOUND and turn.whatsapp_message_id == str(last_inbound.pk)
        for turn in transcript
    ):
        late = (now or timezone.now()) - last_inbound.created_at > REPLY_WAIT
        chat.waiting, chat.unanswered = not late, late
    return chat


# --- how an outbound message reads ----------------------------------------------------------------------------------
def describe(message: Message) -> str:
    """A terminal-friendly rendering of an outbound message (text, buttons and list rows with their ids)."""
    body = message.body or {}
    if body.get("type") == "text":
        return body["text"]["body"]
    if body.get("type") == "interactive":
        interactive = body["interactive"]
        lines = [interactive.get("body", {}).get("text", "")]
        action = interactive.get("action", {})
        for index, button in enumerate(action.get("buttons", []), start=1):
            lines.append(f"  [{index}] {button['reply']['title']}  ({button['reply']['id']})")
        rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
        for index, row in enumerate(rows, start=1):
            description = f" — {row['description']}" if row.get("description") else ""
            lines.append(f"  {index}. {row['title']}{description}  ({row['id']})")
        return "\n".join(lines)
    if body.get("type") == "template":
        return f"[template {body['template']['name']}]"
    return message.preview


def choices(message: Message) -> list[tuple[str, str]]:
    """(id, title) of the buttons or list rows of an outbound interactive message, in order."""
    interactive = (message.body or {}).get("interactive") or {}
    action = interactive.get("action", {})
    found = [(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])]
    found += [(row["id"], row["title"]) for section in action.get("sections", []) for row in section.get("rows", [])]
    return found
