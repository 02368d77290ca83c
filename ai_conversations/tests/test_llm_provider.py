"""The OpenAI-compatible provider against the fake LLM server: tool calls that book, fallbacks, budget, costs."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage, AssistantSettings, ConversationState
from ai_conversations.providers.openai_compat import cost_of
from ai_conversations.tests.test_dialogs_e2e import at_local, book_for, customer_row, local_day, text_of
from bookings.models import Booking

pytestmark = pytest.mark.django_db


def test_cost_comes_from_the_price_table_per_model():
    assert cost_of("gpt-4o-mini", 1_000_000, 1_000_000) == Decimal("0.750000")
    assert cost_of("gpt-4o-mini-2024-07-18", 1000, 0) == Decimal("0.000150")
    assert cost_of("some-unknown-model", 1000, 1000) == Decimal("0")


def test_tool_calls_find_slots_and_propose_and_only_the_customers_yes_books_with_tokens_and_cost_adding_up(
    chat, assistant_salon, fake_llm
):
    mens = assistant_salon.catalogue["services"]["mens"]
    anna = assistant_salon.catalogue["staff"]["anna"]
    tomorrow = local_day(assistant_salon, 1)
    starts = f"{tomorrow.isoformat()}T15:00"
    # The model searches and calls create_booking in the same turn: that makes a proposal, not a booking.
    fake_llm.call_tools(("find_slots", {"service_id": mens.pk, "date": tomorrow.isoformat(), "time": "15:00"}))
    fake_llm.call_tools(("create_booking", {"service_id": mens.pk, "starts_at": starts, "staff_id": anna.pk}))
    fake_llm.reply_text("15:00 with Anna is free. Please confirm below.", prompt_tokens=300, completion_tokens=40)
    customer = chat()
    said, question = customer.say("Can I get a men's haircut tomorrow at 3pm?").replies
    assert text_of(said) == "15:00 with Anna is free. Please confirm below."
    assert "Men's haircut" in text_of(question) and "15:00" in text_of(question)
    assert not Booking.all_salons.exists()

    # The confirmation never goes to the model: the engine executes exactly the proposal.
    [done] = customer.say("yes please").replies
    assert len(fake_llm.requests) == 3
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.customer.wa_id == "4915123456789" and booking.source == "assistant"
    assert booking.staff == anna and booking.starts_at == at_local(assistant_salon, tomorrow, 15)
    assert booking.code in text_of(done)

    # The model saw the salon's real catalogue, the tools, and the tools' results.
    first = fake_llm.requests[0]
    assert "Men's haircut" in first["messages"][0]["content"] and "Anna Schmidt" in first["messages"][0]["content"]
    assert {t["function"]["name"] for t in first["tools"]} >= {"find_slots", "create_booking", "handoff_to_human"}
    tool_result = json.loads(fake_llm.requests[1]["messages"][-1]["content"])
    assert tool_result["asked_taken"] is False and tool_result["slots"][0]["starts_at"] == starts
    proposed = json.loads(fake_llm.requests[2]["messages"][-1]["content"])
    assert proposed["proposed"] == "create" and proposed["awaiting_customer_confirmation"] is True

    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.provider == "openai_compat" and conversation.model == "gpt-4o-mini"
    assert conversation.prompt_tokens_total == 100 + 100 + 300
    assert conversation.completion_tokens_total == 20 + 20 + 40
    expected = cost_of("gpt-4o-mini", 500, 80)
    assert conversation.cost_total == expected
    outbound = AIMessage.all_salons.filter(direction="out").order_by("pk")
    assert sum(m.cost for m in outbound) == expected
    assert list(AIMessage.all_salons.filter(direction="in").values_list("intent", flat=True)) == ["book", "confirm"]


def test_tools_cannot_touch_another_customers_booking(chat, assistant_salon, fake_llm):
    victim = customer_row(assistant_salon, phone="+4915100000001", name="Victim")
    booking = book_for(assistant_salon, victim, day=local_day(assistant_salon, 3), hour=11)
    fake_llm.call_tools(("cancel_booking", {"code": booking.code}))
    fake_llm.reply_text("I could not find that booking.")
    chat(phone="+4915100000002").say(f"cancel {booking.code}, I am +4915100000001")
    result = json.loads(fake_llm.requests[1]["messages"][-1]["content"])
    assert "error" in result
    booking.refresh_from_db()
    assert booking.status == "pending"


def test_provider_timeout_falls_back_to_the_offline_engine_for_that_turn(chat, assistant_salon, fake_llm, settings):
    settings.LLM_TIMEOUT_SECONDS = 0.2
    fake_llm.hang_next()
    [reply] = chat().say("Hello!").replies
    assert text_of(reply).startswith("Hi Maria!")
    message = AIMessage.all_salons.get(direction="out")
    assert message.provider == "offline" and message.prompt_tokens == 0 and message.cost == 0
    assert len(fake_llm.requests) == 1


def test_provider_error_falls_back_too(chat, assistant_salon, fake_llm):
    fake_llm.fail_next(503)
    [reply] = chat().say("what are your opening hours?").replies
    assert "opening hours" in text_of(reply) and "09:00–18:00" in text_of(reply)


def test_monthly_budget_spent_means_the_offline_engine_answers(chat, assistant_salon, fake_llm):
    AssistantSettings.all_salons.create(salon=assistant_salon, monthly_budget=Decimal("0.01"))
    fake_llm.reply_text("Hi from the model", prompt_tokens=50_000, completion_tokens=10_000)  # 0.0135 USD
    customer = chat()
    [first] = customer.say("hi").replies
    assert text_of(first) == "Hi from the model"
    [second] = customer.say("hi again").replies
    assert text_of(second).startswith("Hi Maria!")
    assert len(fake_llm.requests) == 1
    # Last month's spending does not count against this month.
    AIMessage.all_salons.filter(provider="openai_compat").update(created_at=timezone.now() - timedelta(days=40))
    fake_llm.reply_text("Model again")
    [third] = customer.say("hello").replies
    assert text_of(third) == "Model again"


def test_button_payloads_never_go_to_the_model(chat, assistant_salon, fake_llm):
    me = customer_row(assistant_salon)
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    chat().press_template_button(f"booking:{booking.code}:confirm", "Confirm")
    booking.refresh_from_db()
    assert booking.status == "confirmed" and fake_llm.requests == []


def test_the_model_can_hand_off_to_a_person(chat, assistant_salon, fake_llm):
    fake_llm.call_tools(("handoff_to_human", {"reason": "customer is upset"}))
    fake_llm.reply_text("A colleague will write to you shortly.")
    chat().say("this is ridiculous, nobody answers the phone")
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.HANDED_OFF and conversation.handoff_reason == "customer is upset"
