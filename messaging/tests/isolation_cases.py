"""How the isolation suite exercises messaging's tenant routes and admin pages."""

from __future__ import annotations

import itertools

from django.utils import timezone

from messaging.models import Conversation, Message, MessageTemplate
from messaging.tests.factories import ConversationFactory, MessageFactory, MessageTemplateFactory
from salons.models import Role
from tests.isolation.cases import RouteCase

_n = itertools.count(1)
MANAGER_WRITES = {"get": Role.VIEWER, "post": Role.MANAGER, "patch": Role.MANAGER, "delete": Role.MANAGER}


def _conversation(salon):
    return {"pk": ConversationFactory(salon=salon, window_open=True).pk}


def _message(salon):
    return {"pk": MessageFactory(salon=salon).pk}


def _template(salon):
    return {"pk": MessageTemplateFactory(salon=salon, meta_id="").pk}


def _open_conversation(salon):
    # Created by make_kwargs (before the suite's snapshots), so building the body writes nothing.
    ConversationFactory(salon=salon, window_open=True)
    return {}


def _send_body(salon):
    conversation = Conversation.all_salons.filter(salon=salon, window_expires_at__gt=timezone.now()).first()
    return {"customer": conversation.customer_id, "type": "text", "text": "See you at 3!"}


def _template_body(salon):
    return {
        "name": f"promo_{next(_n)}",
        "language": "en",
        "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Hi {{1}}!", "example": {"body_text": [["Ana"]]}}],
    }


CASES = [
    RouteCase("conversation-list", roles={"get": Role.VIEWER}),
    RouteCase("conversation-detail", make_kwargs=_conversation, roles={"get": Role.VIEWER}),
    RouteCase("conversation-messages", make_kwargs=_conversation, roles={"get": Role.VIEWER}),
    RouteCase(
        "message-list",
        make_kwargs=_open_conversation,
        write_body=_send_body,
        roles={"get": Role.VIEWER, "post": Role.STAFF},
    ),
    RouteCase("message-detail", make_kwargs=_message, roles={"get": Role.VIEWER}),
    RouteCase("template-list", write_body=_template_body, roles=MANAGER_WRITES),
    RouteCase(
        "template-detail",
        make_kwargs=_template,
        write_body=lambda salon: {"category": "UTILITY"},
        roles=MANAGER_WRITES,
    ),
    RouteCase("template-sync", roles={"post": Role.MANAGER}),
    RouteCase("whatsapp-cost-summary", roles={"get": Role.VIEWER}),
]

ADMIN_FACTORIES = {
    Conversation: lambda salon: ConversationFactory(salon=salon),
    Message: lambda salon: MessageFactory(salon=salon),
    MessageTemplate: lambda salon: MessageTemplateFactory(salon=salon),
}
