"""The admin and the API docs as an owner uses them, in a real browser (issue 12, "Done when").

Each test drives Debian's chromium against the live server: what a browser submits (nested forms, split date/time
widgets) is exactly what these pin. Screenshots of every page visited go to ``.data/screenshots/``.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from ai_conversations.models import AIConversation, ConversationState
from bookings.models import TimeOff
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from devtools.playground import inline_tasks
from messaging.models import Direction, Message
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory
from tests.browser.conftest import WAIT_SECONDS

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-Chairside-123"  # UserFactory's


def owner_of(salon):
    return MembershipFactory(salon=salon, role=Role.OWNER, user=UserFactory()).user


def hh_mm(text: str) -> str:
    """ "Dec. 1, 2026, 10:30 a.m.", "10:30–11:15" or "10:30" -> "10:30" (the first time in the text, 24 h)."""
    english = re.search(r"(\d{1,2})(?::(\d{2}))?\s*(a\.m\.|p\.m\.)", text)
    if english:
        hour, minute, half = int(english.group(1)), int(english.group(2) or 0), english.group(3)
        hour = hour % 12 + (12 if half == "p.m." else 0)
        return f"{hour:02d}:{minute:02d}"
    if "noon" in text:
        return "12:00"
    clock = re.search(r"\b(\d{2}):(\d{2})\b", text)
    assert clock, f"no time in {text!r}"
    return f"{clock.group(1)}:{clock.group(2)}"


def test_a_time_off_saved_three_times_unchanged_stays_unchanged(admin_ui):
    salon = SalonFactory(name="Studio Berlin", timezone="Europe/Berlin")
    owner = owner_of(salon)
    day = timezone.now().astimezone(salon.tz).date() + timedelta(days=7)
    starts = datetime.combine(day, time(10), tzinfo=salon.tz)
    time_off = TimeOffFactory(salon=salon, starts_at=starts, ends_at=starts + timedelta(hours=2), reason="Dentist")

    admin_ui.log_in(owner.email, PASSWORD)
    admin_ui.open(f"/admin/bookings/timeoff/{time_off.pk}/change/")
    admin_ui.screenshot("time_off_change")
    for _ in range(3):
        assert admin_ui.find("input[name=starts_at_1]").get_attribute("value") == "10:00:00"
        assert admin_ui.find("input[name=ends_at_1]").get_attribute("value") == "12:00:00"
        admin_ui.click_and_wait(admin_ui.find("input[name=_continue]"))
        assert any("was changed successfully" in m for m in admin_ui.messages()), admin_ui.messages()

    time_off.refresh_from_db()
    assert (time_off.starts_at, time_off.ends_at) == (starts, starts + timedelta(hours=2))
    assert TimeOff.all_salons.count() == 1
    assert "Times in Europe/Berlin" in admin_ui.find("#chairside-time-zone").text


def test_answering_a_handed_off_customer_sends_the_message(admin_ui, chat, assistant_salon, fake_graph):
    customer = chat()
    customer.say("I want to talk to a human")
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.HANDED_OFF
    owner = owner_of(assistant_salon)
    sent_before = len(fake_graph.sent)

    admin_ui.log_in(owner.email, PASSWORD)
    admin_ui.open("/admin/ai_conversations/aiconversation/?attention=yes")
    admin_ui.screenshot("handoff_queue")
    admin_ui.open(f"/admin/ai_conversations/aiconversation/{conversation.pk}/change/")
    text = "Hi Maria, this is Anna from the salon. How can I help?"
    admin_ui.find("textarea[name=text]").send_keys(text)
    admin_ui.screenshot("conversation_reply_typed")
    with inline_tasks():  # the outbound queue's worker, run in the live server's thread
        admin_ui.click_and_wait(admin_ui.find("input[type=submit][value=Send]"))
    admin_ui.screenshot("conversation_reply_sent")
    assert "Sent." in admin_ui.messages()

    message = Message.all_salons.get(salon=assistant_salon, direction=Direction.OUTBOUND, body__text__body=text)
    assert message.wamid  # accepted by the (fake) Graph API
    at_the_server = [s for s in fake_graph.sent[sent_before:] if s.payload.get("text", {}).get("body") == text]
    assert [s.wamid for s in at_the_server] == [message.wamid]
    assert at_the_server[0].payload["to"] == customer.wa_id


def test_one_booking_shows_one_time_on_list_detail_day_view_and_dashboard(admin_ui):
    salon = SalonFactory(name="Studio Berlin", timezone="Europe/Berlin", min_notice_minutes=0)
    owner = owner_of(salon)
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=45)
    staff = staff_with_hours(salon, [service], name="Anna", hours=[(time(8), time(20))])
    tomorrow = timezone.now().astimezone(salon.tz).date() + timedelta(days=1)  # the dashboard shows today and tomorrow
    starts = datetime.combine(tomorrow, time(10, 30), tzinfo=salon.tz)
    customer = CustomerFactory(salon=salon, name="Lena Fischer")
    booking = booking_for(salon, service=service, staff=staff, customer=customer, starts_at=starts)

    admin_ui.log_in(owner.email, PASSWORD)
    seen = {}
    admin_ui.open("/admin/bookings/booking/")
    admin_ui.screenshot("booking_list")
    seen["list"] = admin_ui.find("#result_list td.field-starts_at").text
    admin_ui.open(f"/admin/bookings/booking/{booking.pk}/change/")
    admin_ui.screenshot("booking_detail")
    seen["detail"] = admin_ui.find(".field-starts_at .readonly").text
    seen["title"] = admin_ui.find("#content h2").text
    admin_ui.open(f"/admin/bookings/booking/day/?date={tomorrow.isoformat()}")
    admin_ui.screenshot("day_view")
    seen["day view"] = admin_ui.find(".day-booking .when").text
    admin_ui.open("/admin/")
    admin_ui.screenshot("dashboard")
    seen["dashboard"] = admin_ui.find(f"#salon-dashboard-{salon.pk} a[href$='/booking/{booking.pk}/change/']").text

    assert {place: hh_mm(text) for place, text in seen.items()} == dict.fromkeys(seen, "10:30"), seen
    assert "UTC" not in seen["title"]


def test_the_superuser_overview_headers_are_one_line_each(admin_ui):
    salon = SalonFactory(name="Studio Berlin")
    service = ServiceFactory(salon=salon)
    staff = staff_with_hours(salon, [service], hours=[(time(8), time(20))])
    tomorrow = timezone.now().astimezone(salon.tz).date() + timedelta(days=1)
    booking_for(salon, service=service, staff=staff, starts_at=datetime.combine(tomorrow, time(11), tzinfo=salon.tz))
    admin = UserFactory(is_superuser=True)

    admin_ui.log_in(admin.email, PASSWORD)
    admin_ui.screenshot("overview")
    headers = admin_ui.find_all("#all-salons-overview thead th")
    assert len(headers) == 8
    line = admin_ui.browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.4;",
        headers[0],
    )
    for header in headers:
        assert header.size["height"] < 2 * line, (header.text, header.size)
    # Not rolled up yet: today's booking is counted live, not shown as zero until the beat's first rollup.
    [row] = [r for r in admin_ui.find_all("#all-salons-overview tr") if "Studio Berlin" in r.text]
    assert row.find_elements(By.TAG_NAME, "td")[1].text == "1"


def test_the_api_docs_show_the_operations(admin_ui):
    admin_ui.open("/api/docs/")
    WebDriverWait(admin_ui.browser, WAIT_SECONDS).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock"))
    )
    admin_ui.screenshot("api_docs")
    summaries = [element.text for element in admin_ui.find_all(".opblock-summary-path")]
    assert any("/api/v1/salons/" in path and "bookings" in path for path in summaries), summaries[:10]
    assert len(summaries) > 20
