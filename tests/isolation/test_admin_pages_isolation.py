"""Tenant isolation of the admin's own pages (views outside a ModelAdmin's standard ones): another salon's page is a
404 and changes nothing; one's own page shows nothing of another salon.

- "Try your assistant" (``admin:ai_conversations_try``): each member's sandbox chat, per salon.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ai_conversations.sandbox import sandbox_send
from salons.models import Role
from salons.tenancy import salon_scope
from salons.tests.factories import MembershipFactory, SalonFactory, UserFactory
from tests.isolation import support

pytestmark = pytest.mark.django_db

TRY = reverse("admin:ai_conversations_try")


def test_another_salons_try_your_assistant_page_is_404_and_shows_nothing_of_it(django_capture_on_commit_callbacks):
    a, b = SalonFactory(name="Alpha Victim Salon"), SalonFactory(name="Bravo Caller Salon")
    a_person = MembershipFactory(salon=a, role=Role.OWNER, user=UserFactory(full_name="Alpha Person")).user
    with salon_scope(a), django_capture_on_commit_callbacks(execute=True):
        sandbox_send(salon=a, user=a_person, text="alpha secret question")
    b_staff = MembershipFactory(salon=b, role=Role.OWNER).user
    client = Client()
    client.force_login(b_staff)
    a_before = support.db_snapshot(a)

    assert client.get(TRY, {"salon": str(a.pk)}).status_code == 404
    for body in ({"text": "hi"}, {"reply_id": "book:yes", "reply_title": "Yes"}):
        assert client.post(TRY, {"salon": str(a.pk), **body}).status_code == 404
    assert support.db_snapshot(a) == a_before

    for page in (client.get(TRY), client.get(TRY, {"salon": str(b.pk)})):
        assert page.status_code == 200
        html = page.content.decode()
        assert "Alpha Victim" not in html and "alpha secret question" not in html and "Alpha Person" not in html
        assert page.context["salon"] == b and page.context["chat"].transcript == []
