"""The admin's "Try your assistant": the sandbox customer's messages take the real path (stored inbound message, the
assistant's task, the outbox, the sender) and the sender never calls the Graph API for them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ai_conversations.models import AIMessage
from bookings.models import Booking
from devtools.testing.worker import run_published_tasks
from messaging.models import Conversation, Direction, Message, MessageStatus
from messaging.sandbox import sandbox_wa_id
from salons.models import Customer, Role, Salon
from salons.tests.factories import SalonFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:ai_conversations_try")


@pytest.fixture
def staff(assistant_salon, make_member):
    return make_member(assistant_salon, Role.STAFF, full_name="Tess Tester")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def send(client, salon, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"salon": salon.pk, **data})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?salon={salon.pk}"
    return response


def test_a_sandbox_chat_books_through_the_worker_and_nothing_reaches_the_graph_api(
    staff_client, staff, assistant_salon, fake_graph, django_capture_on_commit_callbacks
):
    page = staff_client.get(URL)
    assert page.status_code == 200 and page.context["chat"].transcript == []

    send(staff_client, assistant_salon, django_capture_on_commit_callbacks, text="men's haircut tomorrow at 3pm")
    inbound = Message.all_salons.get(salon=assistant_salon, direction=Direction.INBOUND)
    customer = Customer.all_salons.get(pk=inbound.customer_id)
    assert customer.wa_id == sandbox_wa_id(user_id=staff.pk) and customer.name == "Sandbox · Tess Tester"
    assert Conversation.all_salons.get(customer=customer).sandbox
    page = staff_client.get(URL, {"salon": assistant_salon.pk})
    assert page.context["chat"].waiting  # nothing answered in the web process: a worker does
    assert 'http-equiv="refresh"' in page.content.decode()

    assert run_published_tasks() == ["ai_conversations.tasks.assistant_reply", "messaging.tasks.message_send"]
    page = staff_client.get(URL, {"salon": assistant_salon.pk})
    chat = page.context["chat"]
    assert not chat.waiting and 'http-equiv="refresh"' not in page.content.decode()
    ids = [reply_id for reply_id, _ in chat.choices]
    assert ids[0].startswith("ok:") and ids[1:] == ["book:other", ids[0].replace("ok:", "no:")]
    assert [m.direction for m in chat.transcript] == ["in", "out"]
    assert "Not sent (sandbox)" in page.content.decode()

    send(staff_client, assistant_salon, django_capture_on_commit_callbacks, reply_id=ids[0], reply_title="Yes")
    ran = run_published_tasks()
    assert ran[0] == "ai_conversations.tasks.assistant_reply" and "messaging.tasks.message_send" in ran
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.customer_id == customer.pk and booking.source == "assistant"
    assert booking.code in staff_client.get(URL, {"salon": assistant_salon.pk}).content.decode()

    outbound = Message.all_salons.filter(salon=assistant_salon, direction=Direction.OUTBOUND)
    assert outbound.count() >= 2
    assert set(outbound.values_list("status", flat=True)) == {MessageStatus.SANDBOX}
    assert not outbound.exclude(wamid=None).exists()
    assert fake_graph.requests == [] and fake_graph.sent == []


def test_each_member_has_their_own_sandbox_customer(
    client, assistant_salon, make_member, django_capture_on_commit_callbacks
):
    for name in ("Ann", "Bea"):
        client.force_login(make_member(assistant_salon, Role.STAFF, full_name=name))
        send(client, assistant_salon, django_capture_on_commit_callbacks, text="hello")
    customers = Customer.all_salons.filter(salon=assistant_salon).order_by("name")
    assert [c.name for c in customers] == ["Sandbox · Ann", "Sandbox · Bea"]
    assert Conversation.all_salons.filter(salon=assistant_salon, sandbox=True).count() == 2


def test_the_page_says_so_when_no_worker_answers(staff_client, assistant_salon, django_capture_on_commit_callbacks):
    send(staff_client, assistant_salon, django_capture_on_commit_callbacks, text="hello")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        page = staff_client.get(URL, {"salon": assistant_salon.pk})
    assert page.context["chat"].unanswered and not page.context["chat"].waiting
    assert "is a Celery worker running" in page.content.decode()
    assert not AIMessage.all_salons.exists()


def test_empty_posts_store_nothing(staff_client, assistant_salon, django_capture_on_commit_callbacks):
    send(staff_client, assistant_salon, django_capture_on_commit_callbacks, text="   ")
    assert not Message.all_salons.exists() and not Customer.all_salons.filter(salon=assistant_salon).exists()


def test_a_salon_without_a_whatsapp_number_can_be_tried(
    staff_client, assistant_salon, fake_graph, django_capture_on_commit_callbacks
):
    Salon.objects.filter(pk=assistant_salon.pk).update(phone_number_id=None, whatsapp_access_token="")
    send(staff_client, assistant_salon, django_capture_on_commit_callbacks, text="men's haircut tomorrow at 3pm")
    run_published_tasks()
    reply = Message.all_salons.get(salon=assistant_salon, direction=Direction.OUTBOUND)
    assert reply.status == MessageStatus.SANDBOX and fake_graph.requests == []


def test_try_page_is_only_for_the_users_salons(client, assistant_salon, make_member):
    client.force_login(make_member(SalonFactory(), Role.STAFF))
    response = client.post(URL, {"salon": assistant_salon.pk, "text": "hi"})
    assert response.status_code == 404
    assert client.get(URL, {"salon": assistant_salon.pk}).status_code == 404
    assert not Message.all_salons.exists() and not AIMessage.all_salons.exists()


def test_viewers_cannot_try(client, assistant_salon, make_member):
    client.force_login(make_member(assistant_salon, Role.VIEWER))
    assert client.get(URL).status_code == 403
