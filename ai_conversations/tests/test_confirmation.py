"""The one confirmation rule: no create, reschedule or cancel without the customer confirming that exact proposal,
on the offline engine and on the LLM path (through the fake LLM server)."""

from __future__ import annotations

import pytest

from ai_conversations.models import AIConversation
from ai_conversations.tests.test_dialogs_e2e import (
    at_local,
    book_for,
    customer_row,
    local_day,
    proposal_ids,
    text_of,
    yes_of,
)
from bookings.models import Booking

pytestmark = pytest.mark.django_db


def no_of(message) -> str:
    return proposal_ids(message)[-1]


# --- offline ------------------------------------------------------------------------------------------------------
def test_offline_create_no_then_a_stale_yes_books_nothing(chat, assistant_salon):
    customer = chat()
    [question] = customer.say("men's haircut tomorrow at 3pm").replies
    [declined] = customer.tap(no_of(question)).replies
    assert "No problem" in text_of(declined)
    [stale] = customer.tap(yes_of(question)).replies
    assert "no longer open" in text_of(stale)
    assert not Booking.all_salons.exists()


def test_offline_an_old_proposals_yes_does_not_confirm_the_new_one(chat, assistant_salon):
    customer = chat()
    [first] = customer.say("men's haircut tomorrow at 3pm").replies
    [second] = customer.say("men's haircut tomorrow at 4pm").replies
    [stale] = customer.tap(yes_of(first)).replies
    assert "no longer open" in text_of(stale) and not Booking.all_salons.exists()
    customer.tap(yes_of(second))
    assert Booking.all_salons.get().starts_at == at_local(assistant_salon, local_day(assistant_salon, 1), 16)


def test_offline_move_by_day_of_the_booking_is_proposed_then_done(chat, assistant_salon):
    me = customer_row(assistant_salon)
    day3, day5 = local_day(assistant_salon, 3), local_day(assistant_salon, 5)
    book_for(assistant_salon, me, day=local_day(assistant_salon, 2), hour=11)
    booking = book_for(assistant_salon, me, day=day3, hour=11)
    customer = chat()
    [question] = customer.say(f"Please move my appointment on {day3:%d/%m/%Y} to {day5:%d/%m/%Y} at 16:00").replies
    assert booking.code in text_of(question) and "16:00" in text_of(question)
    booking.refresh_from_db()
    assert booking.starts_at == at_local(assistant_salon, day3, 11)
    customer.tap(yes_of(question))
    booking.refresh_from_db()
    assert booking.starts_at == at_local(assistant_salon, day5, 16)


def test_offline_a_list_tap_to_cancel_asks_first(chat, assistant_salon):
    me = customer_row(assistant_salon)
    first = book_for(assistant_salon, me, day=local_day(assistant_salon, 2), hour=11)
    book_for(assistant_salon, me, day=local_day(assistant_salon, 4), hour=11)
    customer = chat()
    [which] = customer.say("I want to cancel").replies
    assert which.body["interactive"]["type"] == "list"
    [question] = customer.tap(f"pick_cancel:{first.code}").replies
    first.refresh_from_db()
    assert first.status == "pending"
    [kept] = customer.tap(no_of(question)).replies
    first.refresh_from_db()
    assert first.status == "pending" and first.code in text_of(kept)


# --- LLM path ------------------------------------------------------------------------------------------------------
def test_llm_reschedule_tool_proposes_and_the_tap_moves(chat, assistant_salon, fake_llm):
    me = customer_row(assistant_salon)
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    new_day = local_day(assistant_salon, 4)
    fake_llm.call_tools(("reschedule_booking", {"code": booking.code, "starts_at": f"{new_day.isoformat()}T16:00"}))
    fake_llm.reply_text("Please confirm the move.")
    customer = chat()
    _, question = customer.say("can you move my appointment to the day after at 4pm").replies
    booking.refresh_from_db()
    assert booking.starts_at == at_local(assistant_salon, local_day(assistant_salon, 3), 11)
    customer.tap(yes_of(question))
    booking.refresh_from_db()
    assert booking.starts_at == at_local(assistant_salon, new_day, 16)
    assert len(fake_llm.requests) == 2  # the tap never reached the model


def test_llm_cancel_tool_proposes_and_a_typed_no_keeps_the_booking(chat, assistant_salon, fake_llm):
    me = customer_row(assistant_salon)
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    fake_llm.call_tools(("cancel_booking", {"code": booking.code}))
    fake_llm.reply_text("Shall I cancel it?")
    customer = chat()
    _, question = customer.say("cancel my appointment please").replies
    booking.refresh_from_db()
    assert booking.status == "pending"
    [kept] = customer.say("no").replies
    booking.refresh_from_db()
    assert booking.status == "pending" and booking.code in text_of(kept)
    [stale] = customer.tap(yes_of(question)).replies
    booking.refresh_from_db()
    assert booking.status == "pending" and "no longer open" in text_of(stale)


def test_llm_create_on_a_taken_time_proposes_nothing(chat, assistant_salon, fake_llm):
    other = customer_row(assistant_salon, phone="+4915199990000", name="Other")
    third = customer_row(assistant_salon, phone="+4915199990001", name="Third")
    tomorrow = local_day(assistant_salon, 1)
    book_for(assistant_salon, other, staff="anna", day=tomorrow, hour=15)
    book_for(assistant_salon, third, staff="ben", day=tomorrow, hour=15)
    mens = assistant_salon.catalogue["services"]["mens"]
    fake_llm.call_tools(("create_booking", {"service_id": mens.pk, "starts_at": f"{tomorrow.isoformat()}T15:00"}))
    fake_llm.reply_text("That time is taken, sorry.")
    [reply] = chat().say("men's haircut tomorrow 3pm").replies
    assert text_of(reply) == "That time is taken, sorry."
    assert "error" in fake_llm.requests[1]["messages"][-1]["content"]
    assert AIConversation.all_salons.get().dialog_state == {}
