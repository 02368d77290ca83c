"""Pytest plugin of the assistant (registered in the root conftest): a salon with a real catalogue, a chat driver."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from devtools.playground import Playground

WEBHOOK_SECRET = "assistant-test-app-secret"


def build_catalogue(salon, *, opens: time = time(9), closes: time = time(18)) -> dict:
    """Services, two stylists who do everything, open every day: what a small salon offers."""
    from bookings.tests.factories import ServiceFactory, StaffMemberFactory, StaffServiceFactory, WorkingHoursFactory

    services = {
        "mens": ServiceFactory(salon=salon, name="Men's haircut", duration_minutes=30, price=Decimal("25.00")),
        "womens": ServiceFactory(salon=salon, name="Women's haircut", duration_minutes=60, price=Decimal("45.00")),
        "colour": ServiceFactory(salon=salon, name="Colour", duration_minutes=90, price=Decimal("70.00")),
    }
    staff = {
        "anna": StaffMemberFactory(salon=salon, name="Anna Schmidt"),
        "ben": StaffMemberFactory(salon=salon, name="Ben Ortiz"),
    }
    for member in staff.values():
        for service in services.values():
            StaffServiceFactory(salon=salon, staff=member, service=service)
        for weekday in range(7):
            WorkingHoursFactory(salon=salon, staff=member, weekday=weekday, start_time=opens, end_time=closes)
    return {"services": services, "staff": staff}


@pytest.fixture
def assistant_salon(db, settings):
    """A salon with a WhatsApp number, a catalogue and open hours; webhooks signed with a known app secret."""
    from salons.tests.factories import SalonFactory

    settings.WHATSAPP_APP_SECRETS = [WEBHOOK_SECRET]
    salon = SalonFactory(timezone="Europe/Berlin", min_notice_minutes=60, booking_horizon_days=400)
    salon.catalogue = build_catalogue(salon)
    return salon


@pytest.fixture
def chat(assistant_salon, fake_graph):
    """A customer chatting with ``assistant_salon`` through signed webhooks, the processor and the fake Graph API."""
    fake_graph.register_salon(assistant_salon)

    def _chat(phone: str = "+4915123456789", name: str = "Maria Lopez", salon=None) -> Playground:
        return Playground(salon=salon or assistant_salon, phone=phone, name=name, wait_seconds=0)

    return _chat


@pytest.fixture
def fake_llm(settings):
    """The fake OpenAI-compatible server on a free loopback port; LLM_BASE_URL/LLM_API_KEY/LLM_MODEL point at it."""
    from devtools.fake_llm import FakeLLMServer

    server = FakeLLMServer(api_key="test-llm-key").start()
    settings.LLM_BASE_URL = server.base_url
    settings.LLM_API_KEY = "test-llm-key"
    settings.LLM_MODEL = "gpt-4o-mini"
    settings.LLM_TIMEOUT_SECONDS = 5.0
    try:
        yield server
    finally:
        server.stop()
