"""Messages that need a person leave the conversation in the staff's queue with the reason, on both paths."""

from __future__ import annotations

import pytest

from ai_conversations.models import AIConversation, ConversationState
from ai_conversations.tests.test_dialogs_e2e import text_of

pytestmark = pytest.mark.django_db


def handed_off_reason(salon) -> str:
    conversation = AIConversation.all_salons.get(salon=salon)
    assert conversation.state == ConversationState.HANDED_OFF
    return conversation.handoff_reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("my colour came out orange, I'm really not happy", "complaint"),
        ("Hola, voy a llegar 10 minutos tarde", "customer is running late"),
        ("Bin im Stau, ich verspäte mich etwas", "customer is running late"),
        ("quero falar com uma pessoa", "customer asked for a person"),
    ],
)
def test_offline_hands_off_with_a_reason(chat, assistant_salon, text, reason):
    [reply] = chat().say(text).replies
    assert handed_off_reason(assistant_salon) == reason
    assert text_of(reply)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the colour you did yesterday came out orange, I'm very disappointed", "complaint"),
        ("running 10 min late, sorry!", "customer is running late"),
    ],
)
def test_llm_path_keeps_the_engines_handoff_rules(chat, assistant_salon, fake_llm, text, reason):
    [reply] = chat().say(text).replies
    assert fake_llm.requests == []
    assert handed_off_reason(assistant_salon) == reason
    assert reply.body["type"] == "text"


def test_location_without_an_address_hands_off_and_with_one_gives_a_map_link(chat, assistant_salon):
    assistant_salon.address = ""
    assistant_salon.save(update_fields=["address"])
    [reply] = chat(phone="+4915100000001").say("Where are you?").replies
    assert "directions" in text_of(reply)
    assert handed_off_reason(assistant_salon) == "asked for directions; the salon has no address on file"

    assistant_salon.address = "Torstraße 1, 10119 Berlin"
    assistant_salon.save(update_fields=["address"])
    [reply] = chat(phone="+4915100000002").say("what's your address?").replies
    assert "Torstraße 1" in text_of(reply)
    assert "https://www.google.com/maps/search/?api=1&query=Torstra%C3%9Fe+1%2C+10119+Berlin" in text_of(reply)


def test_llm_not_understood_twice_hands_off(chat, assistant_salon, fake_llm):
    for _ in range(2):
        fake_llm.call_tools(("not_understood", {}))
        fake_llm.reply_text("Sorry, could you say that differently?")
    customer = chat()
    customer.say("blorp")
    [second] = customer.say("zzz blorp").replies
    assert handed_off_reason(assistant_salon) == "not understood twice in a row"
    assert "colleague" in text_of(second)
