"""The back office as a salon runs its day in it, in a real browser (issue 18, "Done when"): book from an empty
calendar slot, move a booking from its page, cancel it. Screenshots of the calendar (day and week) and the booking
page go to the screenshots folder (tests/browser/conftest.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from bookings.models import Booking, BookingStatus
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-Chairside-123"  # UserFactory's


def local(salon, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=salon.tz)


@pytest.fixture
def studio():
    """A salon with three stylists, a day of bookings in every status, a break and time off."""
    salon = SalonFactory(name="Studio Aurora", timezone="Europe/Berlin", min_notice_minutes=0, slot_step_minutes=30)
    owner = MembershipFactory(salon=salon, role=Role.OWNER, user=UserFactory(full_name="Anna Weber")).user
    cut = ServiceFactory(salon=salon, name="Haircut", duration_minutes=45)
    colour = ServiceFactory(salon=salon, name="Colour", duration_minutes=90)
    staff = [
        staff_with_hours(salon, [cut, colour], name="Anna", hours=[(time(9), time(13)), (time(14), time(18))]),
        staff_with_hours(salon, [cut], name="Jonas", hours=[(time(10), time(19))]),
        staff_with_hours(salon, [cut, colour], name="Mia", hours=[(time(8), time(16))]),
    ]
    today = timezone.now().astimezone(salon.tz).date()
    day = today + timedelta(days=1)
    names = ["Lena Vogel", "Sofia Braun", "Paul Klein", "Emma Wolf", "Ben Roth", "Lea Hahn"]
    customers = [CustomerFactory(salon=salon, name=n, phone=f"+49151000000{i:02d}") for i, n in enumerate(names)]
    plan = [(0, 9, 0, cut), (0, 11, 0, colour), (1, 10, 30, cut), (1, 15, 0, cut), (2, 8, 30, colour), (2, 12, 0, cut)]
    for i, (who, hour, minute, service) in enumerate(plan):
        booking_for(salon, service=service, staff=staff[who], customer=customers[i],
                    starts_at=local(salon, day, hour, minute), notify=False)  # fmt: skip
    TimeOffFactory(salon=salon, staff=staff[2], starts_at=local(salon, day, 14), ends_at=local(salon, day, 16),
                   reason="Training")  # fmt: skip
    return {"salon": salon, "owner": owner, "cut": cut, "staff": staff, "customers": customers, "day": day}


def test_book_from_an_empty_calendar_slot(admin_ui, studio):
    salon, day, jonas = studio["salon"], studio["day"], studio["staff"][1]
    admin_ui.log_in(studio["owner"].email, PASSWORD)
    admin_ui.open(f"/admin/bookings/booking/day/?date={day.isoformat()}")
    admin_ui.screenshot("calendar_day")
    slot = admin_ui.find(f".cal-lane[data-staff='{jonas.pk}'] a.cal-slot[data-at='12:00']")
    admin_ui.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", slot)
    admin_ui.click_and_wait(slot)
    assert Select(admin_ui.find("select[name=staff]")).first_selected_option.text == "Jonas"
    checked = admin_ui.find("input[name=slot]:checked")
    assert checked.find_element(By.XPATH, "..").text == "12:00"
    Select(admin_ui.find("select[name=customer]")).select_by_visible_text("Emma Wolf · +4915100000003")
    admin_ui.screenshot("book_from_slot")
    admin_ui.click_and_wait(admin_ui.find("input[name=_book]"))
    assert any("Booked" in m for m in admin_ui.messages()), admin_ui.messages()
    booking = Booking.all_salons.get(staff=jonas, starts_at=local(salon, day, 12))
    assert booking.customer.name == "Emma Wolf" and booking.source == "admin"
    assert admin_ui.find(f".cal-booking[data-code='{booking.code}'] .when").text == "12:00–12:45"
    admin_ui.open(f"/admin/bookings/booking/week/?date={day.isoformat()}")
    admin_ui.screenshot("calendar_week")
    assert len(admin_ui.find_all(".cal-booking")) == 7


def test_move_a_booking_by_its_page_then_cancel_it(admin_ui, studio):
    salon, day, anna = studio["salon"], studio["day"], studio["staff"][0]
    booking = Booking.all_salons.get(staff=anna, starts_at=local(salon, day, 9))
    admin_ui.log_in(studio["owner"].email, PASSWORD)
    admin_ui.open(f"/admin/bookings/booking/{booking.pk}/change/")
    admin_ui.click_and_wait(admin_ui.find("#booking-panel button[value=confirm]"))
    assert admin_ui.find("#booking-status").text == "Confirmed"

    later = [
        r for r in admin_ui.find_all("#move-form input[name=slot]") if r.find_element(By.XPATH, "..").text == "15:00"
    ]
    later[0].click()
    admin_ui.click_and_wait(admin_ui.find("#move-submit"))
    booking.refresh_from_db()
    assert booking.starts_at == local(salon, day, 15)
    history = admin_ui.find("#booking-history").text
    assert f"Rescheduled by Anna Weber from {local(salon, day, 9):%a %d %b} 09:00 to" in history
    admin_ui.screenshot("booking_page")

    admin_ui.find("#cancel-form input[name=reason]").send_keys("Customer is ill")
    admin_ui.click_and_wait(admin_ui.find("#cancel-form button"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "Cancelled by Anna Weber" in admin_ui.find("#booking-history").text
    assert admin_ui.find("#booking-status").text == "Cancelled"


def test_rebook_from_the_customer_page(admin_ui, studio):
    salon, anna, lena = studio["salon"], studio["staff"][0], studio["customers"][0]
    before = set(Booking.all_salons.filter(customer=lena).values_list("pk", flat=True))
    admin_ui.log_in(studio["owner"].email, PASSWORD)
    admin_ui.open(f"/admin/salons/customer/{lena.pk}/change/")
    admin_ui.screenshot("customer_page")
    assert "Haircut · Anna" in admin_ui.find("#book-again").text
    admin_ui.click_and_wait(admin_ui.find("#book-again"))
    assert Select(admin_ui.find("select[name=customer]")).first_selected_option.text.startswith("Lena Vogel")
    assert admin_ui.find_all("input[name=slot]:checked"), "the next free slot is chosen"
    admin_ui.click_and_wait(admin_ui.find("input[name=_book]"))
    [new] = Booking.all_salons.filter(customer=lena).exclude(pk__in=before)
    assert (new.service, new.staff) == (studio["cut"], anna)
    assert new.starts_at > timezone.now()
    del salon


def test_reply_from_the_inbox(admin_ui, chat, assistant_salon, fake_graph):
    from devtools.playground import inline_tasks
    from messaging.models import Direction, Message

    customer = chat()
    customer.say("Hi! Can I book a haircut tomorrow?")
    customer.say("I want to talk to a human")
    chat(phone="+4915100000077", name="Tom Becker").say("What are your prices?")
    owner = MembershipFactory(salon=assistant_salon, role=Role.OWNER, user=UserFactory(full_name="Anna Weber")).user
    admin_ui.log_in(owner.email, PASSWORD)
    admin_ui.open("/admin/ai_conversations/aiconversation/inbox/")
    first = admin_ui.find("#inbox-list li")
    assert "Needs attention" in first.text
    text = "Hi Maria, this is Anna from the salon. Tomorrow at 10:00 works!"
    admin_ui.find("#inbox-reply textarea[name=text]").send_keys(text)
    with inline_tasks():
        admin_ui.click_and_wait(admin_ui.find("#inbox-reply button[type=submit]"))
    assert "Sent." in admin_ui.messages()
    assert text in admin_ui.find("#chat").text
    admin_ui.screenshot("inbox")
    message = Message.all_salons.get(direction=Direction.OUTBOUND, body__text__body=text)
    assert message.wamid and any(s.wamid == message.wamid for s in fake_graph.sent)


def test_edit_and_submit_a_template(admin_ui, fake_graph, monkeypatch):
    from messaging.models import MessageTemplate, TemplateStatus
    from messaging.tasks import template_push

    monkeypatch.setattr(template_push, "apply_async", lambda kwargs, **_: template_push(**kwargs))
    salon = SalonFactory(name="Studio Aurora")
    fake_graph.register_salon(salon)
    owner = MembershipFactory(salon=salon, role=Role.OWNER).user
    template = MessageTemplate.all_salons.create(
        salon=salon, name="visit_follow_up", language="en", category="UTILITY", status=TemplateStatus.REJECTED,
        rejection_reason="The example does not match the body.",
        components=[{"type": "BODY", "text": "Hi {{1}}!", "example": {"body_text": [["Maria"]]}}],
    )  # fmt: skip
    admin_ui.log_in(owner.email, PASSWORD)
    admin_ui.open(f"/admin/messaging/messagetemplate/{template.pk}/change/")
    assert "does not match" in admin_ui.find("#template-status").text
    body = admin_ui.find("textarea[name=body]")
    body.clear()
    body.send_keys("Hi {{1}}, thanks for visiting us! How was your {{2}}?")
    admin_ui.find("input[name=example_2]").send_keys("haircut")
    admin_ui.find("input[name=footer]").send_keys("Studio Aurora")
    assert admin_ui.find("#template-preview").text.startswith("Hi Maria, thanks for visiting us! How was your haircut?")
    admin_ui.screenshot("template_editor")
    admin_ui.click_and_wait(admin_ui.find("input[name=_continue]"))
    template.refresh_from_db()
    assert template.body_text == "Hi {{1}}, thanks for visiting us! How was your {{2}}?"
    assert (template.status, template.rejection_reason) == (TemplateStatus.PENDING, "")
    [at_meta] = [t for t in fake_graph.templates(salon.waba_id) if t["name"] == "visit_follow_up"]
    assert at_meta["components"][0]["example"] == {"body_text": [["Maria", "haircut"]]}
    assert "Pending" in admin_ui.find("#template-status").text


def test_switch_the_ui_to_german_and_the_dashboard(admin_ui, studio):
    admin_ui.log_in(studio["owner"].email, PASSWORD)
    admin_ui.screenshot("dashboard")
    assert admin_ui.find("#kpi-today .bo-kpi-value").text == "0"  # the studio's bookings are tomorrow
    assert "/admin/bookings/booking/?" in admin_ui.find("#kpi-today").get_attribute("href")
    Select(admin_ui.find("#language-switch select")).select_by_value("de")
    admin_ui.wait_for(By.XPATH, "//a[text()='Kalender']")
    assert "abmelden" in admin_ui.find("#user-tools").text.lower()  # Django's own strings, uppercased by CSS
    admin_ui.open(f"/admin/bookings/booking/week/?date={studio['day'].isoformat()}")
    assert "Abwesenheit" in admin_ui.find(".cal-legend").text
    styles = [b.get_attribute("style") for b in admin_ui.find_all(".cal-booking")]
    assert styles and not any("," in style for style in styles), styles  # "256,0px" would stack them all at the top
    admin_ui.screenshot("calendar_week_de")
    assert admin_ui.browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
