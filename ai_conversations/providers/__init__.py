"""LLM providers for the assistant. ``llm_turn_or_none`` answers a turn with the LLM, or None for the offline engine."""

from __future__ import annotations

from typing import Any


def llm_turn_or_none(turn, *, settings, text: str, payload: str | None) -> Any:
    return None
