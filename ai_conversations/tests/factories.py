"""Factories for the assistant's rows (written through ``all_salons``, no scope needed)."""

from __future__ import annotations

import factory

from ai_conversations.models import AIConversation, AIMessage, AssistantSettings
from salons.tests.factories import CustomerFactory, SalonFactory, TenantFactory


class AIConversationFactory(TenantFactory):
    class Meta:
        model = AIConversation

    salon = factory.SubFactory(SalonFactory)
    customer = factory.SubFactory(CustomerFactory, salon=factory.SelfAttribute("..salon"))
    language = "en"


class AIMessageFactory(TenantFactory):
    class Meta:
        model = AIMessage

    salon = factory.SubFactory(SalonFactory)
    conversation = factory.SubFactory(AIConversationFactory, salon=factory.SelfAttribute("..salon"))
    direction = "in"
    content = "Hi, can I book a haircut?"
    intent = "book"


class AssistantSettingsFactory(TenantFactory):
    class Meta:
        model = AssistantSettings

    salon = factory.SubFactory(SalonFactory)
