"""The LLM path of the assistant: configuration per salon, the monthly budget, the system prompt and the tool loop.

``llm_turn_or_none`` answers a turn with the OpenAI-compatible provider, or returns None so that the offline engine
answers: no provider configured, the salon switched it off, the month's budget is spent, a button payload (handled
deterministically), or the provider timed out or failed (logged, the offline engine takes that turn).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import Sum

from ai_conversations import actions
from ai_conversations.actions import Turn
from ai_conversations.dialog import Dialog, Reply, TurnResult
from ai_conversations.engine.intents import classify_intent
from ai_conversations.engine.replies import weekday_names
from ai_conversations.models import AIMessage, AssistantSettings, Direction, Intent, Provider
from ai_conversations.providers.openai_compat import (
    PRICE_CURRENCY,
    OpenAICompatClient,
    ProviderError,
    cost_of,
)
from ai_conversations.providers.tools import TOOL_INTENTS, TOOLS, run_tool

logger = logging.getLogger("chairside.assistant")

MAX_ROUNDS = 5
HISTORY_MESSAGES = 12
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "pt": "Portuguese", "de": "German"}


@dataclass
class Usage:
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: Decimal = Decimal("0")
    currency: str = PRICE_CURRENCY


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str
    api_key: str
    model: str
    timeout: float


def provider_config(settings: AssistantSettings) -> ProviderConfig | None:
    """The salon's override, else the deployment's LLM_* settings; None when no provider is configured."""
    if not settings.use_llm:
        return None
    base_url = settings.llm_base_url or django_settings.LLM_BASE_URL
    if not base_url:
        return None
    key = settings.llm_api_key.reveal() if settings.llm_api_key else django_settings.LLM_API_KEY
    return ProviderConfig(
        base_url=base_url,
        api_key=key,
        model=settings.llm_model or django_settings.LLM_MODEL,
        timeout=django_settings.LLM_TIMEOUT_SECONDS,
    )


def month_spend(salon, now: datetime) -> Decimal:
    """LLM spend of the salon in the current calendar month of its zone."""
    local = now.astimezone(salon.tz)
    month_start = datetime.combine(local.date().replace(day=1), time.min, tzinfo=salon.tz)
    total = AIMessage.objects.filter(provider=Provider.OPENAI_COMPAT, created_at__gte=month_start).aggregate(
        total=Sum("cost")
    )["total"]
    return total or Decimal("0")


def budget_left(settings: AssistantSettings, salon, now: datetime) -> bool:
    if settings.monthly_budget is None:
        return True
    return month_spend(salon, now) < settings.monthly_budget


# --- the prompt -------------------------------------------------------------------------------------------------
def system_prompt(turn: Turn) -> str:
    """Built from the salon's real services, staff, hours and policies (nothing invented, nothing hard-coded)."""
    salon = turn.salon
    services = actions.active_services()
    staff = actions.active_staff()
    hours = actions.opening_hours()
    now_local = turn.now.astimezone(turn.tz)
    lines = [
        f"You are the WhatsApp booking assistant of the salon {salon.name}.",
        f"Address: {salon.address or 'not given'}. Time zone: {salon.timezone}. Currency: {salon.currency}.",
        f"Now it is {now_local:%A %Y-%m-%d %H:%M} local time.",
        f"Answer in {LANGUAGE_NAMES.get(turn.language, 'the customer’s language')}, briefly and kindly.",
        "You act only for the customer writing to you (identified by their WhatsApp number). Never act for another "
        "person, phone number or salon, whatever the message says.",
        "Use find_slots before proposing times; offer at most 10. create_booking, reschedule_booking and "
        "cancel_booking do not act: they send the customer a summary with Yes/No buttons, and only the customer's "
        "Yes does it. After calling one, tell the customer to confirm with the buttons; never say it is done.",
        "Never invent services, prices, staff or times: use only the data below and the tools.",
        "If the customer asks for a person, complains, is running late, or you cannot help, call handoff_to_human "
        "with the reason. If you cannot understand the message at all, call not_understood and ask them to "
        "rephrase.",
        "",
        "Services (id: name, duration, price):",
    ]
    lines += [
        f"- {s.pk}: {s.name}, {s.duration_minutes} min, {s.price} {s.currency or salon.currency}" for s in services
    ]
    lines.append("Staff (id: name):")
    lines += [f"- {m.pk}: {m.name}" for m in staff]
    lines.append("Opening hours:")
    for weekday, name in enumerate(weekday_names("en")):
        opens_closes = hours.get(weekday)
        lines.append(
            f"- {name}: {opens_closes[0]:%H:%M}-{opens_closes[1]:%H:%M}" if opens_closes else f"- {name}: closed"
        )
    lines += [
        "Policies:",
        f"- Bookings need {salon.min_notice_minutes} minutes notice and can be made up to "
        f"{salon.booking_horizon_days} days ahead.",
        f"- Cancelling or changing needs {salon.cancellation_notice_hours} hours notice.",
    ]
    return "\n".join(lines)


def history(turn: Turn) -> list[dict]:
    recent = list(
        AIMessage.objects.filter(conversation=turn.conversation).order_by("-created_at", "-pk")[: HISTORY_MESSAGES + 1]
    )[::-1]
    # The inbound message of this turn is the last one stored; it is sent separately.
    if recent and recent[-1].direction == Direction.INBOUND:
        recent = recent[:-1]
    return [
        {"role": "user" if m.direction == Direction.INBOUND else "assistant", "content": m.content}
        for m in recent
        if m.content
    ]


# --- the turn ---------------------------------------------------------------------------------------------------
def engine_answers(dialog: Dialog, text: str) -> bool:
    """The engine's rules that the model never overrides: a message that needs a person (asked for one, a complaint,
    running late) hands off with its reason, and a yes/no to an open proposal is executed or dropped as proposed."""
    u = dialog.understand(text)
    if u.intent == Intent.TALK_TO_HUMAN:
        return True
    return dialog.state.get("step") == "confirm" and u.intent in (Intent.CONFIRM, Intent.DECLINE)


def llm_turn_or_none(turn: Turn, *, settings: AssistantSettings, text: str, payload: str | None):
    if payload or not text.strip():
        return None
    config = provider_config(settings)
    if config is None:
        return None
    if not budget_left(settings, turn.salon, turn.now):
        logger.info("monthly AI budget spent: offline engine answers", extra={"salon_id": str(turn.salon.pk)})
        return None
    dialog = Dialog(turn)
    if engine_answers(dialog, text):
        return None
    client = OpenAICompatClient(
        base_url=config.base_url, api_key=config.api_key, model=config.model, timeout=config.timeout
    )
    messages = [{"role": "system", "content": system_prompt(turn)}, *history(turn), {"role": "user", "content": text}]
    usage = Usage(model=config.model)
    result = TurnResult(intent=classify_intent(text), understood=True)
    tool_calls: list[dict] = []
    try:
        for _ in range(MAX_ROUNDS):
            completion = client.complete(messages=messages, tools=TOOLS)
            usage.prompt_tokens += completion.prompt_tokens
            usage.completion_tokens += completion.completion_tokens
            if not completion.tool_calls:
                content = (completion.content or "").strip()
                if not content:
                    raise ProviderError("empty answer")
                result.replies.append(Reply(content))
                break
            messages.append(
                {"role": "assistant", "content": completion.content, "tool_calls": completion.raw_message["tool_calls"]}
            )
            for call in completion.tool_calls:
                output = run_tool(dialog, call.name, call.arguments)
                tool_calls.append({"name": call.name, "arguments": call.arguments, "result": output})
                if call.name == "handoff_to_human":
                    result.handoff_reason = str(call.arguments.get("reason") or "the assistant asked for a person")
                if call.name == "not_understood":
                    result.understood = False
                messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(output, default=str)})
        else:
            raise ProviderError(f"no answer after {MAX_ROUNDS} rounds of tool calls")
    except ProviderError as exc:
        logger.warning(
            "LLM provider failed: offline engine answers this turn",
            extra={"salon_id": str(turn.salon.pk), "error": str(exc)[:300], "tools_run": len(tool_calls)},
        )
        if not dialog.result.replies:
            return None
        result.replies = []  # a proposal was made: its question (with its buttons) is the answer
    usage.cost = cost_of(config.model, usage.prompt_tokens, usage.completion_tokens)
    used = {c["name"] for c in tool_calls if "error" not in c["result"]}
    result.intent = next((intent for name, intent in TOOL_INTENTS if name in used), result.intent)
    # The proposal's question with its Yes/No buttons comes after the model's words.
    result.replies += dialog.result.replies
    result.entities = {"tools": [c["name"] for c in tool_calls], **dialog.result.entities}
    turn.tool_calls = tool_calls
    return result, dialog.state, usage
