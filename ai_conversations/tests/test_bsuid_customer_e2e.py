"""A WhatsApp user known only by business-scoped user ID (a username user who withholds the phone number) books
through the assistant end to end, gets the confirmation and the reminder, and opts out with STOP: signed webhooks,
the real processor, the assistant, the outbound task and the fake Graph API, which checks every send."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ai_conversations.tests.test_dialogs_e2e import yes_of
from bookings.models import Booking
from bookings.services import reminders_send_due
from devtools.playground import Playground, inline_tasks
from messaging.models import Message
from messaging.tests.factories import MessageTemplateFactory
from salons.models import Customer

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]

BSUID = "DE.13491208655302741918"
BODY = "Hi {{1}}, your {{2}} on {{3}} with {{4}} (code {{5}})."


@pytest.fixture
def reminder_template(assistant_salon, fake_graph):
    components = [
        {"type": "BODY", "text": BODY},
        {
            "type": "BUTTONS",
            "buttons": [{"type": "QUICK_REPLY", "text": t} for t in ("Confirm", "Reschedule", "Cancel")],
        },
    ]
    template = MessageTemplateFactory(
        salon=assistant_salon, name="booking_reminder", language="en", category="UTILITY", components=components
    )
    # Meta knows the template too: the fake checks the reminder's parameters against it.
    fake_graph.add_template(
        assistant_salon.waba_id,
        {
            "name": "booking_reminder",
            "language": "en",
            "status": "APPROVED",
            "category": "UTILITY",
            "parameter_format": "POSITIONAL",
            "components": components,
        },
    )
    return template


def test_a_bsuid_only_customer_books_is_reminded_and_opts_out(
    assistant_salon, fake_graph, reminder_template, django_capture_on_commit_callbacks
):
    fake_graph.register_salon(assistant_salon)
    ana = Playground(salon=assistant_salon, bsuid=BSUID, username="ana.cuts", name="Ana", wait_seconds=0)

    [question] = ana.say("Hi! Can I get a men's haircut tomorrow at 3pm?").replies
    assert question.body["interactive"]["type"] == "button"
    [booked] = ana.tap(yes_of(question), "Yes, book it").replies
    booking = Booking.all_salons.get(salon=assistant_salon)
    customer = Customer.all_salons.get(pk=booking.customer_id)
    assert (customer.bsuid, customer.phone, customer.wa_id, customer.username) == (BSUID, "", "", "ana.cuts")
    assert booking.code in booked.body["text"]["body"]  # the confirmation

    with (
        inline_tasks(),
        django_capture_on_commit_callbacks(execute=True),
    ):  # two hours before (the day-before one may already have passed when it was booked)
        assert reminders_send_due(now=booking.starts_at - timedelta(minutes=120))["sent"] == 1
    reminder = Message.all_salons.get(salon=assistant_salon, template=reminder_template)
    assert reminder.body["recipient"] == BSUID and booking.code in reminder.preview

    [goodbye] = ana.say("STOP").replies
    customer.refresh_from_db()
    assert customer.is_opted_out and goodbye.body["recipient"] == BSUID

    # Every message went out by BSUID through the fake, which accepted each (a refused one would not be "sent").
    sent = [s.payload for s in fake_graph.sent]
    assert len(sent) == 4 and all(p["recipient"] == BSUID and "to" not in p for p in sent)
    assert [p["type"] for p in sent] == ["interactive", "text", "template", "text"]
    assert Message.all_salons.filter(salon=assistant_salon, direction="outbound", status="failed").count() == 0
