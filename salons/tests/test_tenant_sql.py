"""salons.tenancy.sql: fixed statements for hot paths stay inside the salon scope, and load and write rows the way
the ORM would."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_save

from messaging.models import Conversation, Direction, Message, MessageStatus, MessageType
from messaging.tests.factories import ConversationFactory, MessageFactory
from salons.models import Customer
from salons.tenancy import NoSalonInScope, salon_scope
from salons.tenancy.sql import TenantSQL, columns, insert_ignoring_conflict, instance
from salons.tests.factories import SalonFactory

pytestmark = pytest.mark.django_db

CUSTOMER_BY_WA_ID = TenantSQL(
    f"SELECT {columns(Customer, 'cu')} FROM salons_customer cu WHERE cu.salon_id = %(salon)s AND cu.wa_id = %(wa_id)s"
)
CONVERSATION_TOUCH = TenantSQL(
    "UPDATE messaging_conversation SET message_count = message_count + 1 WHERE id = %(id)s AND salon_id = %(salon)s"
)
WAMID_CONFLICT = "(salon_id, wamid) WHERE wamid IS NOT NULL"


@pytest.fixture
def two_salons():
    """Two salons, each with a conversation with a customer of the same WhatsApp id."""
    mine, theirs = SalonFactory(), SalonFactory()
    return (
        ConversationFactory(salon=mine, customer__salon=mine, customer__wa_id="4915100000001"),
        ConversationFactory(salon=theirs, customer__salon=theirs, customer__wa_id="4915100000001"),
    )


def inbound(conversation: Conversation, wamid: str) -> Message:
    return Message(
        conversation=conversation,
        customer=conversation.customer,
        direction=Direction.INBOUND,
        type=MessageType.TEXT,
        body={"type": "text", "text": {"body": "Olá"}},
        preview="Olá",
        wamid=wamid,
        status=MessageStatus.RECEIVED,
    )


def test_a_statement_must_filter_on_the_salon_in_scope():
    with pytest.raises(ImproperlyConfigured):
        TenantSQL("SELECT id FROM salons_customer WHERE wa_id = %(wa_id)s")


def test_outside_any_scope_nothing_runs_and_the_salon_cannot_be_passed(two_salons):
    mine, theirs = two_salons
    with pytest.raises(NoSalonInScope):
        CUSTOMER_BY_WA_ID.rows(wa_id="4915100000001")
    with salon_scope(mine.salon), pytest.raises(TypeError):
        CUSTOMER_BY_WA_ID.rows(wa_id="4915100000001", salon=theirs.salon.pk)


def test_reads_and_writes_see_only_the_salon_in_scope(two_salons):
    mine, theirs = two_salons
    with salon_scope(mine.salon):
        [row] = CUSTOMER_BY_WA_ID.rows(wa_id="4915100000001")
        assert instance(Customer, row).pk == mine.customer.pk
        assert CONVERSATION_TOUCH.execute(id=theirs.pk) == 0  # another salon's row: untouched
        assert CONVERSATION_TOUCH.execute(id=mine.pk) == 1
    assert Conversation.all_salons.get(pk=theirs.pk).message_count == 0
    assert Conversation.all_salons.get(pk=mine.pk).message_count == 1


def test_instance_loads_a_row_exactly_as_the_orm_does(two_salons):
    mine, _ = two_salons
    message = MessageFactory(salon=mine.salon, conversation=mine, body={"type": "text", "text": {"body": "Olá 👋"}})
    statement = TenantSQL(f"SELECT {columns(Message, 'm')} FROM messaging_message m WHERE m.salon_id = %(salon)s")
    with salon_scope(mine.salon):
        [row] = statement.rows()
        loaded = instance(Message, row)
        expected = Message.objects.get(pk=message.pk)
    assert loaded._state.adding is False
    for field in Message._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.body == {"type": "text", "text": {"body": "Olá 👋"}}  # jsonb converted, not left as text


def test_insert_takes_the_salon_from_the_scope_applies_defaults_and_sends_the_save_signals(two_salons):
    mine, _ = two_salons
    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    post_save.connect(receiver, sender=Message)
    try:
        with salon_scope(mine.salon):
            message = inbound(mine, "wamid.SQL1")
            assert insert_ignoring_conflict(message, conflict=WAMID_CONFLICT) is True
    finally:
        post_save.disconnect(receiver, sender=Message)
    stored = Message.all_salons.get(pk=message.pk)
    assert stored.salon_id == mine.salon.pk
    assert stored.created_at is not None and stored.attempts == 0  # auto_now_add and Python defaults applied
    assert stored.body == {"type": "text", "text": {"body": "Olá"}}
    assert saved == [(message.pk, True)]


def test_a_conflicting_insert_is_absorbed_and_writes_nothing(two_salons):
    mine, theirs = two_salons
    with salon_scope(mine.salon):
        assert insert_ignoring_conflict(inbound(mine, "wamid.SQL2"), conflict=WAMID_CONFLICT) is True
        again = inbound(mine, "wamid.SQL2")
        assert insert_ignoring_conflict(again, conflict=WAMID_CONFLICT) is False
        assert again.pk is None
    with salon_scope(theirs.salon):  # the same wamid in another salon is another message
        assert insert_ignoring_conflict(inbound(theirs, "wamid.SQL2"), conflict=WAMID_CONFLICT) is True
    assert Message.all_salons.filter(wamid="wamid.SQL2").count() == 2


def test_insert_refuses_another_salons_row_inside_a_scope(two_salons):
    mine, theirs = two_salons
    message = inbound(theirs, "wamid.SQL3")
    message.salon = theirs.salon
    with salon_scope(mine.salon), pytest.raises(NoSalonInScope):
        insert_ignoring_conflict(message, conflict=WAMID_CONFLICT)
    assert not Message.all_salons.filter(wamid="wamid.SQL3").exists()


def test_a_statement_is_run_as_written_comments_included_and_read_as_a_dict(two_salons):
    mine, _ = two_salons
    statement = TenantSQL(
        """
        SELECT count(*) AS customers  -- a comment must not swallow the rest of the statement
        FROM salons_customer WHERE salon_id = %(salon)s
        """
    )
    with salon_scope(mine.salon):
        assert statement.first_as_dict() == {"customers": 1}
