"""Factories for conversations, messages and templates (tenant-owned: written through all_salons)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from messaging.models import Conversation, Direction, Message, MessageStatus, MessageTemplate, MessageType
from salons.tests.factories import CustomerFactory, SalonFactory, TenantFactory


class ConversationFactory(TenantFactory):
    class Meta:
        model = Conversation

    salon = factory.SubFactory(SalonFactory)
    customer = factory.SubFactory(CustomerFactory, salon=factory.SelfAttribute("..salon"))
    cost_currency = factory.SelfAttribute("salon.currency")

    class Params:
        window_open = factory.Trait(
            last_inbound_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5)),
            window_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=23, minutes=55)),
        )


class MessageFactory(TenantFactory):
    class Meta:
        model = Message

    salon = factory.SubFactory(SalonFactory)
    conversation = factory.SubFactory(ConversationFactory, salon=factory.SelfAttribute("..salon"))
    customer = factory.SelfAttribute("conversation.customer")
    direction = Direction.OUTBOUND
    type = MessageType.TEXT
    body = factory.LazyAttribute(lambda o: {"type": "text", "text": {"body": o.preview}})
    preview = factory.Faker("sentence")
    status = MessageStatus.SENT
    wamid = factory.Sequence(lambda n: f"wamid.TEST{n:08d}")


class MessageTemplateFactory(TenantFactory):
    class Meta:
        model = MessageTemplate

    salon = factory.SubFactory(SalonFactory)
    name = factory.Sequence(lambda n: f"template_{n}")
    language = "en"
    category = "UTILITY"
    status = "APPROVED"
    meta_id = factory.Sequence(lambda n: f"90000{n:06d}")
    components = factory.LazyFunction(
        lambda: [{"type": "BODY", "text": "Hi {{1}}, your {{2}} is confirmed.", "example": {"body_text": [["A", "B"]]}}]
    )
