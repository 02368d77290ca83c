"""Scripted dialogs end to end: signed webhook POSTs, the real processor, the assistant and the fake Graph API."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage, ConversationState
from ai_conversations.sandbox import choices
from bookings.models import Booking

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]


def local_day(salon, days_ahead: int):
    return (timezone.now().astimezone(salon.tz) + timedelta(days=days_ahead)).date()


def at_local(salon, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=salon.tz).astimezone(UTC)


def proposal_ids(message) -> list[str]:
    """The ids of a proposal's buttons: ``ok:<id>``, (``book:other``,) ``no:<id>``."""
    ids = [c[0] for c in choices(message)]
    assert message.body["interactive"]["type"] == "button" and ids[0].startswith("ok:"), ids
    assert ids[-1] == "no:" + ids[0].removeprefix("ok:")
    return ids


def yes_of(message) -> str:
    return proposal_ids(message)[0]


def text_of(message) -> str:
    body = message.body
    if body["type"] == "text":
        return body["text"]["body"]
    return body["interactive"]["body"]["text"]


def test_happy_path_books_the_asked_time_after_confirming_with_buttons(chat, assistant_salon, fake_graph):
    customer = chat()
    turn = customer.say("Hi! Can I get a men's haircut tomorrow at 3pm?")
    assert turn.status_code == 200
    [question] = turn.replies
    assert question.body["interactive"]["type"] == "button"
    assert "Men's haircut" in text_of(question) and "15:00" in text_of(question)
    assert "25,00\xa0€" in text_of(question)  # English in Germany (Babel, en_DE)
    assert proposal_ids(question)[1] == "book:other"

    turn = customer.tap(yes_of(question), "Yes, book it")
    [booked] = turn.replies
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.source == "assistant"
    assert booking.customer.wa_id == "4915123456789"
    assert booking.service.name == "Men's haircut"
    assert booking.starts_at == at_local(assistant_salon, local_day(assistant_salon, 1), 15)
    assert booking.code in text_of(booked) and "15:00" in text_of(booked) and booking.staff.name in text_of(booked)
    # Both replies really went out through the (fake) Graph API, to this customer.
    sent = [s.payload for s in fake_graph.sent]
    assert [p["to"] for p in sent] == ["4915123456789", "4915123456789"]
    assert booking.code in sent[-1]["text"]["body"]
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.ACTIVE and conversation.dialog_state == {
        "last_booking_code": booking.code
    }
    intents = list(AIMessage.all_salons.filter(direction="in").values_list("intent", flat=True))
    assert intents == ["book", "confirm"]


def book_for(salon, customer, *, service="mens", staff="anna", day, hour: int, minute: int = 0) -> Booking:
    from bookings.services import booking_create
    from salons.tenancy import salon_scope

    with salon_scope(salon):
        return booking_create(
            salon=salon,
            customer=customer,
            service=salon.catalogue["services"][service],
            staff=salon.catalogue["staff"][staff],
            starts_at=at_local(salon, day, hour, minute),
            source="admin",
        )


def customer_row(salon, phone="+4915123456789", name="Maria Lopez"):
    from salons.tests.factories import CustomerFactory

    return CustomerFactory(salon=salon, phone=phone, wa_id=phone.lstrip("+"), name=name, language="en")


def test_asked_time_taken_offers_the_nearest_alternatives_then_books_the_chosen_one(chat, assistant_salon):
    tomorrow = local_day(assistant_salon, 1)
    other = customer_row(assistant_salon, phone="+4915199990000", name="Someone Else")
    third = customer_row(assistant_salon, phone="+4915199990001", name="Someone Third")
    book_for(assistant_salon, other, staff="anna", day=tomorrow, hour=15)
    book_for(assistant_salon, third, staff="ben", day=tomorrow, hour=15)

    customer = chat()
    [offer] = customer.say("men's haircut tomorrow at 3pm please").replies
    assert offer.body["interactive"]["type"] == "list"
    assert "is not free" in text_of(offer)
    rows = choices(offer)
    assert 1 <= len(rows) <= 10
    starts = [datetime.fromtimestamp(int(row_id.split(":")[1]), tz=UTC) for row_id, _ in rows]
    assert at_local(assistant_salon, tomorrow, 15) not in starts
    assert (
        at_local(assistant_salon, tomorrow, 14, 30) in starts or at_local(assistant_salon, tomorrow, 15, 30) in starts
    )

    chosen_id, chosen_title = rows[0]
    [question] = customer.tap(chosen_id, chosen_title).replies
    [booked] = customer.tap(yes_of(question)).replies
    mine = Booking.all_salons.get(salon=assistant_salon, customer__wa_id="4915123456789")
    assert mine.starts_at == starts[0] and mine.code in text_of(booked)


def test_typing_the_number_of_an_offered_time_works_like_tapping_it(chat, assistant_salon):
    customer = chat()
    [offer] = customer.say("I'd like a colour on " + local_day(assistant_salon, 3).strftime("%d/%m/%Y")).replies
    second_id, _ = choices(offer)[1]
    [question] = customer.say("2").replies
    proposal_ids(question)
    customer.say("yes")
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.starts_at == datetime.fromtimestamp(int(second_id.split(":")[1]), tz=UTC)
    assert booking.service.name == "Colour"


@pytest.mark.parametrize("code", ["K7M2XP", "HKMNPQ"])
def test_cancel_by_code_in_any_case(chat, assistant_salon, code):
    me = customer_row(assistant_salon)
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    Booking.all_salons.filter(pk=booking.pk).update(code=code)
    booking.refresh_from_db()
    customer = chat()
    [question] = customer.say(f"Please cancel {booking.code.lower()}").replies
    booking.refresh_from_db()
    assert booking.status == "pending" and booking.code in text_of(question)
    [reply] = customer.tap(yes_of(question), "Yes, cancel").replies
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.code in text_of(reply) and "cancelled" in text_of(reply)
    # A second tap on the same button is harmless: nothing is open any more.
    [again] = customer.tap(yes_of(question), "Yes, cancel").replies
    assert "no longer open" in text_of(again)


def test_another_customers_booking_code_cannot_be_cancelled(chat, assistant_salon):
    victim = customer_row(assistant_salon, phone="+4915100000001", name="Victim")
    booking = book_for(assistant_salon, victim, day=local_day(assistant_salon, 3), hour=11)
    attacker = chat(phone="+4915100000002", name="Attacker")
    [reply] = attacker.say(f"cancel {booking.code} for +4915100000001 please").replies
    assert "couldn't find" in text_of(reply)
    [reply] = attacker.press_template_button(f"booking:{booking.code}:cancel", "Cancel").replies
    assert "couldn't find" in text_of(reply)
    [reply] = attacker.tap(f"pick_cancel:{booking.code}", "Yes").replies
    assert "couldn't find" in text_of(reply)
    [reply] = attacker.tap("ok:0123456789ab", "Yes").replies
    assert "no longer open" in text_of(reply)
    booking.refresh_from_db()
    assert booking.status == "pending"


def test_reschedule_to_a_free_time_moves_the_booking(chat, assistant_salon):
    me = customer_row(assistant_salon)
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    new_day = local_day(assistant_salon, 4)
    customer = chat()
    old_start = booking.starts_at
    [question] = customer.say(f"I need to reschedule {booking.code} to {new_day:%d/%m/%Y} at 16:00").replies
    assert "16:00" in text_of(question) and booking.code in text_of(question)
    proposal_ids(question)
    booking.refresh_from_db()
    assert booking.starts_at == old_start  # nothing moves before the customer says yes
    [reply] = customer.say("yes").replies
    booking.refresh_from_db()
    assert booking.starts_at == at_local(assistant_salon, new_day, 16)
    assert booking.status == "pending" and booking.code in text_of(reply) and "16:00" in text_of(reply)


@time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=True)
def test_a_numeric_date_is_read_day_first_in_a_german_salon(chat, assistant_salon):
    # "04/12" in Berlin is 4 December, four days ahead; read as 12 April it was "no free time" or a far date.
    customer = chat()
    [question] = customer.say("Can I book a men's haircut on 04/12 at 16:00?").replies
    customer.tap(yes_of(question), "Yes, book it")
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.starts_at == at_local(assistant_salon, datetime(2026, 12, 4).date(), 16)


@time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=True)
def test_a_numeric_date_is_read_month_first_in_a_us_salon(chat, assistant_salon):
    assistant_salon.timezone = "America/New_York"
    assistant_salon.save(update_fields=["timezone"])
    customer = chat()
    [question] = customer.say("Can I book a men's haircut on 12/04 at 4pm?").replies
    customer.tap(yes_of(question), "Yes, book it")
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.starts_at == at_local(assistant_salon, datetime(2026, 12, 4).date(), 16)


def test_reschedule_without_a_time_offers_times_then_moves(chat, assistant_salon):
    me = customer_row(assistant_salon)
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    customer = chat()
    [offer] = customer.say("can I move my appointment?").replies
    slot_id, title = choices(offer)[0]
    assert slot_id.startswith("slot:")
    [question] = customer.tap(slot_id, title).replies
    booking.refresh_from_db()
    assert booking.starts_at == at_local(assistant_salon, local_day(assistant_salon, 3), 11)
    [done] = customer.tap(yes_of(question)).replies
    booking.refresh_from_db()
    assert booking.starts_at == datetime.fromtimestamp(int(slot_id.split(":")[1]), tz=UTC)
    assert "Done" in text_of(done)


def test_reminder_buttons_are_handled_by_payload(chat, assistant_salon):
    me = customer_row(assistant_salon)
    first = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    second = book_for(assistant_salon, me, day=local_day(assistant_salon, 5), hour=11)
    customer = chat()
    # The button's text is irrelevant: the payload decides.
    [reply] = customer.press_template_button(f"booking:{first.code}:confirm", "Whatever").replies
    first.refresh_from_db()
    assert first.status == "confirmed" and "Thanks for confirming" in text_of(reply)
    [question] = customer.press_template_button(f"booking:{second.code}:cancel", "Confirm").replies
    second.refresh_from_db()
    assert second.status == "pending" and second.code in text_of(question)
    [reply] = customer.tap(yes_of(question)).replies
    second.refresh_from_db()
    assert second.status == "cancelled" and second.code in text_of(reply)
    assert AIMessage.all_salons.filter(direction="in", intent="cancel").count() == 1


def test_not_understood_twice_hands_off_and_the_assistant_goes_quiet(chat, assistant_salon):
    customer = chat()
    [first] = customer.say("purple monkey dishwasher").replies
    assert "didn't get that" in text_of(first)
    [second] = customer.say("zxcv qwer").replies
    assert "colleague" in text_of(second)
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.HANDED_OFF
    assert conversation.handoff_reason == "not understood twice in a row"
    assert customer.say("hello??").replies == []
    assert AIMessage.all_salons.filter(conversation=conversation, direction="in").count() == 3


def test_asking_for_a_person_hands_off(chat, assistant_salon):
    [reply] = chat().say("Can I talk to a real person please").replies
    assert "colleague" in text_of(reply)
    assert AIConversation.all_salons.get(salon=assistant_salon).state == ConversationState.HANDED_OFF


@pytest.mark.parametrize(
    ("text", "question_word", "booked_word"),
    [
        ("Hi, a men's haircut tomorrow at 3pm please", "Book", "Booked"),
        ("Hola, quiero un corte de pelo para hombre mañana a las 15", "¿Reservo", "Reservado"),
        ("Olá, quero marcar um corte de cabelo masculino amanhã às 15h", "Marco", "Marcado"),
        ("Hallo, ich möchte einen Haarschnitt für Herren morgen um 15 Uhr", "Soll ich", "Gebucht"),
    ],
)
def test_each_language_books_and_answers_in_that_language(chat, assistant_salon, text, question_word, booked_word):
    customer = chat()
    [question] = customer.say(text).replies
    assert text_of(question).startswith(question_word), text_of(question)
    [booked] = customer.tap(yes_of(question)).replies
    assert text_of(booked).startswith(booked_word)
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.service.name == "Men's haircut"
    assert booking.starts_at == at_local(assistant_salon, local_day(assistant_salon, 1), 15)


def next_dst_changes(tz, days: int = 400) -> dict[str, object]:
    """The next local days on which the UTC offset goes up (spring) and down (autumn)."""
    found: dict[str, object] = {}
    today = timezone.now().astimezone(tz).date()
    for offset in range(2, days):
        day = today + timedelta(days=offset)
        before = datetime.combine(day - timedelta(days=1), time(12), tzinfo=tz).utcoffset()
        after = datetime.combine(day, time(12), tzinfo=tz).utcoffset()
        if after > before:
            found.setdefault("spring", day)
        elif after < before:
            found.setdefault("autumn", day)
    return found


@pytest.mark.parametrize("season", ["spring", "autumn"])
def test_booking_on_a_dst_change_day_lands_at_the_right_utc_instant(chat, assistant_salon, season):
    day = next_dst_changes(assistant_salon.tz)[season]
    customer = chat()
    [question] = customer.say(f"men's haircut on {day:%d/%m/%Y} at 10:00").replies
    assert "10:00" in text_of(question)
    customer.tap(yes_of(question))
    booking = Booking.all_salons.get(salon=assistant_salon)
    expected_offset = timedelta(hours=2) if season == "spring" else timedelta(hours=1)
    assert booking.starts_at == datetime.combine(day, time(10), tzinfo=UTC) - expected_offset


def test_a_refusal_reaches_the_customer_in_their_language(chat, assistant_salon):
    from salons.models import Salon

    me = customer_row(assistant_salon, name="Lucía Pérez")
    booking = book_for(assistant_salon, me, day=local_day(assistant_salon, 3), hour=11)
    Salon.objects.filter(pk=assistant_salon.pk).update(cancellation_notice_hours=24 * 7)
    customer = chat(name="Lucía Pérez")
    [question] = customer.say(f"Hola, quiero cancelar mi cita {booking.code}").replies
    assert booking.code in text_of(question)
    [reply] = customer.say("sí").replies
    booking.refresh_from_db()
    assert booking.status == "pending"
    assert "168 horas antes" in text_of(reply) and "Bookings can only" not in text_of(reply)
    # A refusal offers a person; tapping it hands off with that reason.
    assert choices(reply) == [("human", "Hablar con alguien")]
    customer.tap("human")
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.HANDED_OFF
    assert conversation.handoff_reason == "customer asked for a person after a refusal"
