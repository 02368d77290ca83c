"""How the isolation suite exercises the assistant: no REST routes; admin rows by factory."""

from __future__ import annotations

from ai_conversations.models import AIConversation, AIMessage, AssistantSettings
from ai_conversations.tests.factories import (
    AIConversationFactory,
    AIMessageFactory,
    AssistantSettingsFactory,
)

CASES: list = []

ADMIN_FACTORIES = {
    AIConversation: lambda salon: AIConversationFactory(salon=salon),
    AIMessage: lambda salon: AIMessageFactory(salon=salon),
    AssistantSettings: lambda salon: AssistantSettingsFactory(salon=salon),
}
