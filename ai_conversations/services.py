"""The assistant's writes: enqueue and produce replies to inbound WhatsApp messages, hand off to staff and back."""

from __future__ import annotations

import logging
import time as monotonic
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ai_conversations.actions import Turn
from ai_conversations.dialog import Reply, TurnResult, offline_turn
from ai_conversations.engine.language import supported_language
from ai_conversations.engine.replies import t
from ai_conversations.enqueue import replies_publish
from ai_conversations.models import (
    AIConversation,
    AIMessage,
    AssistantSettings,
    ConversationState,
    Direction,
    PendingReply,
    Provider,
)
from ai_conversations.providers import llm_turn_or_none
from config.api import Conflict, DomainError
from messaging.services import (
    conversation_for_customer,
    message_send_interactive,
    message_send_template,
    message_send_text,
)
from salons.models import Customer
from salons.tenancy import current_salon, salon_scope

if TYPE_CHECKING:
    from salons.models import Salon, User

logger = logging.getLogger("chairside.assistant")

# Turns in a row the assistant may fail to understand before a person takes over.
MAX_NOT_UNDERSTOOD = 2


def assistant_enqueue_reply(*, salon: Salon, message: Any) -> None:
    """Called by the webhooks dispatcher for each new inbound message, in the transaction that stores it: the message
    is marked pending (a ``PendingReply`` row, see ai_conversations.pending) and the reply task is published after
    commit. Inside ``config.coalesce.coalescing()`` (the relay's batches) the publishes of one batch go together."""
    now = timezone.now()
    PendingReply.objects.create(salon=salon, message_id=message.pk, created_at=now, published_at=now)
    item = (str(salon.pk), str(message.pk))
    transaction.on_commit(lambda: replies_publish(item))


# --- lookups ----------------------------------------------------------------------------------------------------
def assistant_settings_for(salon: Salon) -> AssistantSettings:
    """The salon's assistant settings (defaults, unsaved, when the salon never changed them)."""
    return AssistantSettings.objects.filter(salon=salon).first() or AssistantSettings(salon=salon)


def ai_conversation_for(*, customer: Customer, lock: bool = False) -> AIConversation:
    """The customer's AI conversation, created on first use (race-safe); ``lock`` serializes turns per customer."""
    queryset = AIConversation.objects.select_for_update() if lock else AIConversation.objects
    conversation, _ = queryset.get_or_create(
        customer=customer, defaults={"language": supported_language(customer.language, "")}
    )
    return conversation


def _message_text(message: Any) -> str:
    body = message.body or {}
    return (body.get("text") or {}).get("body") or message.preview or ""


# --- the reply --------------------------------------------------------------------------------------------------
@transaction.atomic
def assistant_reply_to(*, message: Any, now: datetime | None = None) -> list[Any]:
    """Answer one inbound message (inside its salon's scope); returns the outbound messaging Messages.

    Idempotent per inbound message. A handed-off conversation is recorded but not answered; the LLM provider (when
    configured and within budget) answers, else the offline dialog.
    """
    if message.direction != "inbound":
        return []
    salon = current_salon()
    now = now or timezone.now()
    customer = Customer.objects.get(pk=message.customer_id)
    conversation = ai_conversation_for(customer=customer, lock=True)
    if AIMessage.objects.filter(direction=Direction.INBOUND, whatsapp_message_id=str(message.pk)).exists():
        return []
    text = _message_text(message)
    payload = message.reply_payload
    inbound = AIMessage.objects.create(
        conversation=conversation,
        direction=Direction.INBOUND,
        content=text or payload or f"[{message.type}]",
        whatsapp_message_id=str(message.pk),
        created_at=now,
    )
    conversation.message_count += 1
    conversation.last_activity_at = now
    settings = assistant_settings_for(salon)
    if not settings.enabled or conversation.state == ConversationState.HANDED_OFF:
        conversation.save(update_fields=["message_count", "last_activity_at", "updated_at"])
        return []
    if conversation.state == ConversationState.CLOSED:
        conversation.state = ConversationState.ACTIVE

    turn = Turn(
        salon=salon,
        conversation=conversation,
        customer=customer,
        now=now,
        language=conversation.language or supported_language(customer.language or salon.language),
        formal=settings.formal_address,
    )
    started = monotonic.perf_counter()
    result, new_state, usage = _run_engine(turn, settings=settings, text=text, payload=payload)
    latency_ms = int((monotonic.perf_counter() - started) * 1000)

    inbound.intent = result.intent
    inbound.entities = result.entities
    inbound.save(update_fields=["intent", "entities"])

    if result.not_understood:
        conversation.failed_understanding_count += 1
        if result.handoff_reason is None and conversation.failed_understanding_count >= MAX_NOT_UNDERSTOOD:
            result.handoff_reason = "not understood twice in a row"
            register = (conversation.dialog_state or {}).get("register")
            formal = register == "formal" if register else turn.formal
            result.replies = [Reply(t(turn.language, "handoff", formal=formal))]
    else:
        conversation.failed_understanding_count = 0
    conversation.dialog_state = new_state
    conversation.language = turn.language
    if result.handoff_reason:
        conversation.state = ConversationState.HANDED_OFF
        conversation.handed_off_at = now
        conversation.handoff_reason = result.handoff_reason[:200]
        conversation.dialog_state = {}
    if not customer.language:
        Customer.objects.filter(pk=customer.pk, language="").update(language=turn.language)

    sent = _send_replies(turn, result, usage=usage, latency_ms=latency_ms)
    conversation.message_count += len(sent)
    if usage is not None:
        conversation.provider = Provider.OPENAI_COMPAT
        conversation.model = usage.model
        conversation.prompt_tokens_total += usage.prompt_tokens
        conversation.completion_tokens_total += usage.completion_tokens
        conversation.cost_total += usage.cost
        conversation.cost_currency = usage.currency
    conversation.save()
    return sent


def _run_engine(turn: Turn, *, settings: AssistantSettings, text: str, payload: str | None):
    """The LLM provider when configured and within budget (falling back on any provider error), else offline."""
    outcome = llm_turn_or_none(turn, settings=settings, text=text, payload=payload)
    if outcome is not None:
        return outcome
    result, state = offline_turn(turn, text=text, payload=payload)
    return result, state, None


def _send_replies(turn: Turn, result: TurnResult, *, usage, latency_ms: int) -> list[Any]:
    sent = []
    for index, reply in enumerate(result.replies):
        try:
            with transaction.atomic():
                if reply.interactive:
                    outbound = message_send_interactive(
                        salon=turn.salon, customer=turn.customer, interactive=reply.interactive
                    )
                else:
                    outbound = message_send_text(salon=turn.salon, customer=turn.customer, text=reply.text)
        except DomainError as exc:
            logger.warning(
                "assistant reply not sent",
                extra={"salon_id": str(turn.salon.pk), "customer_id": turn.customer.pk, "error": exc.code},
            )
            continue
        first = index == 0
        AIMessage.objects.create(
            conversation=turn.conversation,
            direction=Direction.OUTBOUND,
            content=reply.summary(),
            whatsapp_message_id=str(outbound.pk),
            intent=result.intent,
            provider=Provider.OPENAI_COMPAT if usage is not None else Provider.OFFLINE,
            model=usage.model if usage is not None else "",
            prompt_tokens=usage.prompt_tokens if usage is not None and first else 0,
            completion_tokens=usage.completion_tokens if usage is not None and first else 0,
            cost=usage.cost if usage is not None and first else Decimal("0"),
            cost_currency=usage.currency if usage is not None else "USD",
            latency_ms=latency_ms if first else None,
            tool_calls=turn.tool_calls if first else [],
            created_at=timezone.now(),
        )
        sent.append(outbound)
    return sent


# --- staff: handoff queue ---------------------------------------------------------------------------------------
@transaction.atomic
def conversation_hand_off(*, conversation: AIConversation, reason: str = "taken over by staff") -> AIConversation:
    """Stop the assistant for this customer; staff answer from the admin."""
    AIConversation.objects.filter(pk=conversation.pk).update(
        state=ConversationState.HANDED_OFF, handed_off_at=timezone.now(), handoff_reason=reason[:200], dialog_state={}
    )
    conversation.refresh_from_db()
    return conversation


@transaction.atomic
def conversation_hand_back(*, conversation: AIConversation) -> AIConversation:
    """Give the conversation back to the assistant (the "resume" button)."""
    AIConversation.objects.filter(pk=conversation.pk).update(
        state=ConversationState.ACTIVE,
        handed_off_at=None,
        handoff_reason="",
        failed_understanding_count=0,
        dialog_state={},
    )
    conversation.refresh_from_db()
    return conversation


class TemplateRequired(Conflict, code="template_required"): ...


@transaction.atomic
def conversation_staff_reply(
    *,
    conversation: AIConversation,
    user: User | None,
    text: str = "",
    template_name: str = "",
    body_parameters: Sequence[str] = (),
) -> Any:
    """A staff member answers: free-form text inside the 24 h window, an approved template outside it."""
    from messaging.services import message_send_text

    salon, customer = conversation.salon, conversation.customer
    window_open = conversation_for_customer(salon=salon, customer=customer).is_window_open()
    if template_name:
        outbound = message_send_template(
            salon=salon, customer=customer, template_name=template_name, body_parameters=list(body_parameters)
        )
        content = f"[template {template_name}] " + " | ".join(body_parameters)
    elif window_open:
        outbound = message_send_text(salon=salon, customer=customer, text=text)
        content = text
    else:
        raise TemplateRequired(
            "The 24-hour window is closed: choose an approved template to write to this customer.", field="template"
        )
    AIMessage.objects.create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        content=content,
        whatsapp_message_id=str(outbound.pk),
        provider=Provider.HUMAN,
        model=(user.email if user is not None else "")[:100],
        created_at=timezone.now(),
    )
    AIConversation.objects.filter(pk=conversation.pk).update(
        message_count=F("message_count") + 1, last_activity_at=timezone.now()
    )
    return outbound


@transaction.atomic
def assistant_settings_save(*, salon: Salon, data: dict[str, Any]) -> AssistantSettings:
    """Create or change the salon's assistant settings (one row per salon), validated like the model says."""
    with salon_scope(salon):
        settings = AssistantSettings.objects.select_for_update().filter(salon=salon).first()
        settings = settings or AssistantSettings(salon=salon)
        for name, value in data.items():
            setattr(settings, name, value)
        try:
            settings.full_clean(exclude=["salon"], validate_unique=False)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None
        settings.save()
        return settings
