"""Answers that fit the question: one service's price, one day's hours, offered times spread over the asked period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ai_conversations.sandbox import choices
from ai_conversations.tests.test_dialogs_e2e import text_of

pytestmark = pytest.mark.django_db


def test_the_price_of_one_service_is_just_that_service(chat, assistant_salon):
    [reply] = chat().say("How much is a colour?").replies
    assert "Colour" in text_of(reply) and "Men's haircut" not in text_of(reply)
    [reply] = chat(phone="+4915100000009").say("what are your prices?").replies
    assert "Colour" in text_of(reply) and "Men's haircut" in text_of(reply)


def test_the_hours_of_one_day_are_just_that_day(chat, assistant_salon):
    [reply] = chat().say("are you open on saturday?").replies
    assert "Saturday" in text_of(reply) and "Monday" not in text_of(reply)


def test_offered_times_are_spread_over_the_asked_part_of_the_day(chat, assistant_salon):
    [offer] = chat().say("men's haircut tomorrow afternoon").replies
    starts = [datetime.fromtimestamp(int(row_id.split(":")[1]), tz=UTC) for row_id, _ in choices(offer)]
    assert 2 <= len(starts) <= 10 and starts == sorted(starts)
    local = [s.astimezone(assistant_salon.tz) for s in starts]
    assert all(12 <= t.hour < 17 for t in local)
    assert local[-1] - local[0] >= timedelta(hours=3)


def test_after_a_time_offers_only_later_starts(chat, assistant_salon):
    [offer] = chat().say("men's haircut tomorrow after 4pm").replies
    starts = [datetime.fromtimestamp(int(row_id.split(":")[1]), tz=UTC) for row_id, _ in choices(offer)]
    assert starts and all(s.astimezone(assistant_salon.tz).hour >= 16 for s in starts)


def test_german_follows_the_customers_sie_and_the_salons_setting(chat, assistant_salon):
    from ai_conversations.models import AssistantSettings

    [reply] = chat().say("Guten Tag, können Sie mir einen Termin geben?").replies
    assert text_of(reply) == "Welche Leistung möchten Sie?"
    [reply] = chat(phone="+4915100000031").say("Hallo, hast du einen Termin für mich?").replies
    assert text_of(reply) == "Welche Leistung möchtest du?"
    AssistantSettings.all_salons.create(salon=assistant_salon, formal_address=True)
    [reply] = chat(phone="+4915100000032").say("Hallo, ich möchte einen Termin buchen").replies
    assert text_of(reply) == "Welche Leistung möchten Sie?"
