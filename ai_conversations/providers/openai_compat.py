"""A small client for OpenAI-compatible chat completions (tool calling) over httpx, and the per-model price table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

# USD per million tokens (input, output). Unknown models cost 0 and are logged; extend as providers change prices.
PRICES_PER_MILLION: dict[str, tuple[Decimal, Decimal]] = {
    "gpt-4o-mini": (Decimal("0.15"), Decimal("0.60")),
    "gpt-4o": (Decimal("2.50"), Decimal("10.00")),
    "gpt-4.1": (Decimal("2.00"), Decimal("8.00")),
    "gpt-4.1-mini": (Decimal("0.40"), Decimal("1.60")),
    "gpt-4.1-nano": (Decimal("0.10"), Decimal("0.40")),
    "gpt-5-mini": (Decimal("0.25"), Decimal("2.00")),
}
PRICE_CURRENCY = "USD"


def cost_of(model: str, prompt_tokens: int, completion_tokens: int) -> Decimal:
    """What the tokens cost (USD, 6 decimals); a dated model name uses its family's price (gpt-4o-mini-2024-07-18)."""
    price = PRICES_PER_MILLION.get(model)
    if price is None:
        family = max((name for name in PRICES_PER_MILLION if model.startswith(name + "-")), key=len, default=None)
        price = PRICES_PER_MILLION.get(family) if family else None
    if price is None:
        return Decimal("0")
    million = Decimal(1_000_000)
    total = price[0] * prompt_tokens / million + price[1] * completion_tokens / million
    return total.quantize(Decimal("0.000001"))


class ProviderError(Exception):
    """The provider timed out, refused or answered something that is not a chat completion."""


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict


@dataclass
class Completion:
    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    raw_message: dict = field(default_factory=dict)


class OpenAICompatClient:
    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float):
        # Taken as given: providers put their OpenAI-compatible API under different paths (/v1, /openai/v1, /api/v3).
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def complete(self, *, messages: list[dict], tools: list[dict]) -> Completion:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        body = {"model": self.model, "messages": messages, "tools": tools, "tool_choice": "auto", "temperature": 0.2}
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise ProviderError(f"HTTP {response.status_code}: {response.text[:300]}")
        try:
            data = response.json()
            message = data["choices"][0]["message"]
            usage = data.get("usage") or {}
            calls = [
                ToolCall(
                    id=call["id"],
                    name=call["function"]["name"],
                    arguments=json.loads(call["function"].get("arguments") or "{}"),
                )
                for call in message.get("tool_calls") or []
            ]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError(f"not a chat completion: {exc}") from exc
        return Completion(
            content=message.get("content"),
            tool_calls=calls,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            raw_message=message,
        )
