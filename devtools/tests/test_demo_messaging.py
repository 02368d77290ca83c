"""The demo seed is idempotent and queues its replies for sending."""

import io

import pytest

from devtools.demo import messaging as demo
from devtools.testing.messaging import enqueued_sends
from messaging.models import Message, MessageTemplate
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


def test_seed_twice_creates_the_pack_and_one_conversation(salon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, salon_scope(salon):
        demo.seed(salon=salon, stdout=io.StringIO())
        demo.seed(salon=salon, stdout=io.StringIO())
    assert MessageTemplate.all_salons.filter(salon=salon, status="APPROVED").count() == 16
    assert Message.all_salons.filter(salon=salon, direction="outbound", status="queued").count() == 2
    assert Message.all_salons.filter(salon=salon, direction="inbound").count() == 1
    assert len(enqueued_sends(callbacks)) == 2
