"""Pytest plugin of messaging (registered in the root conftest): the ``fake_graph`` fixture and helpers."""

from __future__ import annotations

import pytest

from config.publish import publish
from devtools.fake_graph import FakeGraphServer
from messaging.models import RateCard
from messaging.ratecard import load_rate_card


@pytest.fixture(autouse=True)
def _rate_card(request):
    """The rate card comes from a data migration; a transactional test (which flushes tables) may have removed it."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")  # honours the marker's transaction=True
    if not RateCard.objects.exists():
        load_rate_card()


@pytest.fixture
def fake_graph(settings):
    """A fake Graph API on a free loopback port; WHATSAPP_GRAPH_BASE_URL points at it for the test.

    Unknown phone number ids accept any token (register a salon with ``fake_graph.register_salon(salon)`` to check
    its token). No status webhooks are POSTed unless ``set_callback(url)``; ``statuses_for(wamid)`` returns them.
    """
    server = FakeGraphServer(
        accept_unknown_tokens=True,
        app_secret=settings.WHATSAPP_APP_SECRETS[0],
        timeout_seconds=settings.WHATSAPP_HTTP_TIMEOUT_SECONDS + 1.0,
    ).start()
    settings.WHATSAPP_GRAPH_BASE_URL = server.base_url
    try:
        yield server
    finally:
        server.stop()


def enqueued_sends(callbacks) -> list:
    """The on-commit callbacks (from ``django_capture_on_commit_callbacks``) that enqueue a message send."""
    from messaging.tasks import message_send

    return [c for c in callbacks if getattr(c, "func", None) is publish and c.args and c.args[0] is message_send]
