"""Admin (handoff queue, staff reply, resume, Try page), the chat command, the intent rollup and the demo seed."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ai_conversations.demo import seed
from ai_conversations.models import AIConversation, AIMessage, ConversationState, IntentDailyStat
from ai_conversations.services import intent_stats_rollup
from ai_conversations.tests.test_dialogs_e2e import text_of
from bookings.models import Booking
from salons.models import Role
from salons.tenancy import salon_scope
from salons.tests.factories import SalonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, assistant_salon, make_member):
    client.force_login(make_member(assistant_salon, Role.STAFF))
    return client


def handed_off(chat):
    customer = chat()
    customer.say("I want to talk to a human")
    return customer


def test_handoff_queue_lists_only_this_salons_handed_off_conversations(chat, staff_client, assistant_salon):
    handed_off(chat)
    chat(phone="+4915100000077").say("hello")
    other = SalonFactory()
    from salons.tests.factories import CustomerFactory

    AIConversation.all_salons.create(
        salon=other, customer=CustomerFactory(salon=other), state=ConversationState.HANDED_OFF
    )
    url = reverse("admin:ai_conversations_aiconversation_changelist")
    response = staff_client.get(url, {"attention": "yes"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [
        AIConversation.all_salons.get(salon=assistant_salon, state=ConversationState.HANDED_OFF)
    ]
    assert staff_client.get(url).context["cl"].result_count == 2


def test_staff_reply_inside_the_window_and_resume(chat, staff_client, assistant_salon, fake_graph):
    customer = handed_off(chat)
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    change = reverse("admin:ai_conversations_aiconversation_change", args=[conversation.pk])
    assert staff_client.get(change).status_code == 200

    reply = reverse("admin:ai_conversations_reply", args=[conversation.pk])
    assert staff_client.post(reply, {"text": "Hi Maria, Ben here. How can I help?"}).status_code == 302
    staff_message = AIMessage.all_salons.get(provider="human")
    assert staff_message.content == "Hi Maria, Ben here. How can I help?" and staff_message.direction == "out"
    from messaging.models import Message

    sent = Message.all_salons.get(pk=int(staff_message.whatsapp_message_id))
    assert sent.body["text"]["body"] == "Hi Maria, Ben here. How can I help?"

    assert customer.say("thanks!").replies == []  # still with a person
    staff_client.post(reverse("admin:ai_conversations_resume", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.ACTIVE and conversation.failed_understanding_count == 0
    [answer] = customer.say("what are your prices?").replies
    assert "Men's haircut" in text_of(answer)


def test_the_reply_form_is_not_nested_in_the_change_form(chat, staff_client, assistant_salon):
    """A browser drops a form nested in another and submits the outer one: the reply would never be sent."""
    handed_off(chat)
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    html = staff_client.get(reverse("admin:ai_conversations_aiconversation_change", args=[conversation.pk]))
    html = html.content.decode()
    depth, deepest = 0, 0
    for tag in re.findall(r"<(/?)form\b", html):
        depth += -1 if tag else 1
        deepest = max(deepest, depth)
    assert deepest == 1 and depth == 0
    reply_url = reverse("admin:ai_conversations_reply", args=[conversation.pk])
    assert f'action="{reply_url}"' in html


def test_staff_reply_outside_the_window_needs_a_template(chat, staff_client, assistant_salon):
    handed_off(chat)
    from messaging.models import Conversation

    Conversation.all_salons.update(window_expires_at=timezone.now() - timedelta(minutes=1))
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    response = staff_client.post(reverse("admin:ai_conversations_reply", args=[conversation.pk]), {"text": "hello"})
    assert response.status_code == 302
    assert not AIMessage.all_salons.filter(provider="human").exists()


def test_another_salons_staff_cannot_reply_or_resume(chat, client, assistant_salon, make_member):
    handed_off(chat)
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    client.force_login(make_member(SalonFactory(), Role.OWNER))
    assert client.post(reverse("admin:ai_conversations_resume", args=[conversation.pk])).status_code == 404
    response = client.post(reverse("admin:ai_conversations_reply", args=[conversation.pk]), {"text": "x"})
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.HANDED_OFF


def test_try_page_books_through_the_real_path(staff_client, assistant_salon):
    url = reverse("admin:ai_conversations_try")
    assert staff_client.get(url).status_code == 200
    phone = "+4915100000055"
    response = staff_client.post(
        url, {"salon": assistant_salon.pk, "phone": phone, "text": "men's haircut tomorrow at 3pm"}
    )
    assert response.status_code == 200
    ids = [c[0] for c in response.context["choices"]]
    assert ids[0].startswith("ok:") and ids[1:] == ["book:other", ids[0].replace("ok:", "no:")]
    response = staff_client.post(url, {"salon": assistant_salon.pk, "phone": phone, "reply_id": ids[0]})
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.customer.phone == phone
    assert booking.code in response.content.decode()


def test_try_page_is_only_for_the_users_salons(client, assistant_salon, make_member):
    client.force_login(make_member(SalonFactory(), Role.STAFF))
    response = client.post(
        reverse("admin:ai_conversations_try"), {"salon": assistant_salon.pk, "phone": "+4915100000055", "text": "hi"}
    )
    assert response.status_code == 404
    assert not AIMessage.all_salons.exists()


def test_chat_command_books_from_the_terminal(assistant_salon):
    out = StringIO()
    call_command(
        "chat",
        "--salon",
        str(assistant_salon.pk),
        "--phone",
        "+4915100000066",
        "--message",
        "Hi, a colour tomorrow at 10am please",
        "--message",
        "1",
        stdout=out,
    )
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.service.name == "Colour" and booking.source == "assistant"
    assert booking.code in out.getvalue() and "Book Colour" in out.getvalue()


def test_intent_rollup_counts_inbound_intents_per_local_day(chat, assistant_salon):
    customer = chat()
    customer.say("hello")
    customer.say("what are your prices?")
    customer.say("and your opening hours?")
    customer.say("thanks")
    today = timezone.now().astimezone(assistant_salon.tz).date()
    assert intent_stats_rollup(salon=assistant_salon, day=today) == {
        "greeting": 1,
        "prices_services": 1,
        "opening_hours": 1,
        "thanks": 1,
    }
    customer.say("thanks again")
    intent_stats_rollup(salon=assistant_salon, day=today)
    with salon_scope(assistant_salon):
        stats = dict(IntentDailyStat.objects.filter(day=today).values_list("intent", "count"))
    assert stats == {"greeting": 1, "prices_services": 1, "opening_hours": 1, "thanks": 2}


def test_demo_seed_is_idempotent(assistant_salon):
    with salon_scope(assistant_salon):
        seed(salon=assistant_salon)
        seed(salon=assistant_salon)
        assert AIConversation.objects.count() == 1
        assert AIMessage.objects.count() == 6
