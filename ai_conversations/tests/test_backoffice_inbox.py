"""The inbox: handed-off conversations first, a chat thread, replies through conversation_staff_reply, the 24 h
window state and the template to use when it is closed; "Needs attention" is a red badge, not a green tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage, ConversationState
from messaging.models import Conversation, Direction, Message
from messaging.services import template_install_pack
from salons.models import Role
from salons.tenancy import salon_scope
from salons.tests.factories import SalonFactory


@pytest.fixture
def staff_client(client, assistant_salon, make_member):
    client.force_login(make_member(assistant_salon, Role.STAFF))
    return client


def test_handed_off_conversations_come_first_with_their_thread(chat, staff_client, assistant_salon):
    maria = chat()
    maria.say("I want to talk to a human")
    chat(phone="+4915100000077", name="Tom Later").say("hello")  # more recent, but the assistant answers him
    inbox = reverse("admin:ai_conversations_inbox")
    response = staff_client.get(inbox)
    assert response.status_code == 200
    items = [item["conversation"] for item in response.context["items"]]
    assert [c.state for c in items] == [ConversationState.HANDED_OFF, ConversationState.ACTIVE]
    assert response.context["selected"] == items[0]
    html = response.content.decode()
    assert "I want to talk to a human" in html and 'class="bubble inbound"' in html
    assert "24 h window open" in html and 'name="text"' in html


def test_a_reply_from_the_inbox_goes_through_the_outbox_and_back_to_the_thread(chat, staff_client, assistant_salon):
    chat().say("I want to talk to a human")
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    reply = reverse("admin:ai_conversations_reply", args=[conversation.pk])
    response = staff_client.post(reply, {"text": "Hi Maria, Ben here.", "back": "inbox"})
    assert response["Location"] == f"{reverse('admin:ai_conversations_inbox')}?c={conversation.pk}"
    sent = Message.all_salons.get(direction=Direction.OUTBOUND, body__text__body="Hi Maria, Ben here.")
    assert AIMessage.all_salons.filter(provider="human", whatsapp_message_id=str(sent.pk)).exists()
    assert "Hi Maria, Ben here." in staff_client.get(response["Location"]).content.decode()


def test_a_closed_window_offers_the_approved_templates_instead_of_free_text(chat, staff_client, assistant_salon):
    chat().say("I want to talk to a human")
    with salon_scope(assistant_salon):
        template_install_pack(salon=assistant_salon, languages=["en"], approve_locally=True)
    Conversation.all_salons.update(window_expires_at=timezone.now() - timedelta(minutes=1))
    html = staff_client.get(reverse("admin:ai_conversations_inbox")).content.decode()
    assert "24 h window closed" in html
    assert 'name="text"' not in html and 'name="template_name"' in html and "booking_confirmation" in html


def test_needs_attention_is_a_red_badge(chat, staff_client, assistant_salon):
    chat().say("I want to talk to a human")
    html = staff_client.get(reverse("admin:ai_conversations_aiconversation_changelist")).content.decode()
    assert '<span class="bo-badge status-no_show">Needs attention</span>' in html
    assert "icon-yes.svg" not in html


def test_the_inbox_shows_only_the_callers_salon(chat, client, assistant_salon, make_member):
    chat().say("I want to talk to a human")
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    client.force_login(make_member(SalonFactory(), Role.OWNER))
    response = client.get(reverse("admin:ai_conversations_inbox"), {"c": conversation.pk})
    assert response.status_code == 200
    assert response.context["items"] == [] and response.context["selected"] is None
    assert "I want to talk to a human" not in response.content.decode()
