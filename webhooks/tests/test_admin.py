"""The event admin: superusers see events, filters and raw bodies; salon staff do not see the event log at all."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from salons.models import Role
from salons.tests.factories import UserFactory
from webhooks.models import EventStatus, WebhookEvent
from webhooks.relay import events_drain
from webhooks.tests.payloads import fixture_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def processed_event(post_signed, fixture_salon, no_assistant):
    assert post_signed(fixture_body("inbound_text_non_ascii.body")).status_code == 200
    events_drain()
    return WebhookEvent.objects.get()


def test_superuser_lists_filters_and_reads_the_raw_body(client, processed_event, fixture_salon):
    client.force_login(UserFactory(is_superuser=True))
    changelist = reverse("admin:webhooks_webhookevent_changelist")
    for query in ({}, {"status__exact": EventStatus.PROCESSED}, {"salon": str(fixture_salon.pk)}):
        response = client.get(changelist, query)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1
    assert client.get(changelist, {"status__exact": EventStatus.FAILED}).context["cl"].result_count == 0
    page = client.get(reverse("admin:webhooks_webhookevent_change", args=[processed_event.pk]))
    assert page.status_code == 200
    assert "João Müller" in page.content.decode()
    digest = hashlib.sha256(fixture_body("inbound_text_non_ascii.body")).hexdigest()
    assert digest in page.content.decode()  # the hash as an operator reads it
    for term, found in ((digest.upper(), 1), ("0" * 64, 0), (str(processed_event.pk), 1), ("z" * 64, 0)):
        assert client.get(changelist, {"q": term}).context["cl"].result_count == found, term


def test_replay_action_makes_the_event_due_again(client, processed_event):
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:webhooks_webhookevent_changelist"),
        {"action": "replay", "_selected_action": [processed_event.pk]},
    )
    assert response.status_code == 302
    processed_event.refresh_from_db()
    assert processed_event.status == EventStatus.RECEIVED and processed_event.attempts == 0


def test_salon_staff_cannot_see_the_event_log(client, processed_event, fixture_salon, make_member):
    client.force_login(make_member(fixture_salon, Role.OWNER))
    assert client.get(reverse("admin:webhooks_webhookevent_changelist")).status_code == 403
    page = client.get(reverse("admin:webhooks_webhookevent_change", args=[processed_event.pk]))
    assert page.status_code in (302, 403)
    assert "João" not in page.content.decode()
