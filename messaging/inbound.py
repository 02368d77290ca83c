"""What the webhooks dispatcher calls: inbound messages, delivery statuses and template events (inside the scope)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import pgettext

from localization import in_language, word_lists
from messaging.errors import WindowClosed
from messaging.identity import Sender, customer_complete, customer_upsert, identity_change_apply, sender_of
from messaging.models import (
    CUSTOMER_SERVICE_WINDOW,
    Conversation,
    Direction,
    Message,
    MessageStatus,
    MessageType,
    status_may_advance,
)
from messaging.pricing import cost_for
from messaging.services import conversation_for_customer, message_send_text
from messaging.whatsapp.errors import explain
from salons.models import Customer, Salon
from salons.tenancy.sql import TenantSQL, columns, insert_ignoring_conflict, instance

logger = logging.getLogger("chairside.messaging")


def _stop_words() -> str:
    return pgettext(
        "opt-out keywords: comma-separated phrases a customer sends alone to stop all messages",
        "stop, unsubscribe, stop all, opt out, optout, cancel all, end, quit",
    )


def _start_words() -> str:
    return pgettext(
        "opt-in keywords: comma-separated phrases a customer sends alone to receive messages again",
        "start, unstop, subscribe, resume, yes start",
    )


def _stop_confirmation() -> str:
    return pgettext(
        "reply to an opt-out keyword", "You will no longer receive messages from us. Reply START to subscribe again."
    )


def _start_confirmation() -> str:
    return pgettext(
        "reply to an opt-in keyword", "Welcome back! You will receive our messages again. Reply STOP to unsubscribe."
    )


@cache
def _keyword_lists() -> tuple[tuple[str, dict[str, frozenset[str]]], ...]:
    """The opt-out and opt-in keywords of every language, from the catalog (read once per process)."""
    return (("stop", word_lists(_stop_words)), ("start", word_lists(_start_words)))


def keyword_of(text: str, preferred_language: str = "") -> tuple[str, str] | None:
    """("stop"|"start", language) when the whole text is an opt-out/opt-in keyword (case-insensitive; the catalog
    lists accented and unaccented spellings).

    Words shared by languages (PARAR, INICIAR) answer in the customer's language when it is one of them.
    """
    normalized = " ".join((text or "").strip().strip(".!¡?¿").casefold().split())
    if not normalized or len(normalized) > 30:
        return None
    for kind, table in _keyword_lists():
        languages = [lang for lang, words in table.items() if normalized in words]
        if languages:
            return kind, preferred_language if preferred_language in languages else languages[0]
    return None


@dataclass
class InboundResult:
    message: Message | None
    created: bool
    keyword: str | None = None  # "stop", "start" or "system": handled here, the assistant does not answer


SUPPORTED_INBOUND = {t.value for t in MessageType} - {"template", "unsupported"}


def _timestamp(value) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # OverflowError/OSError: beyond any calendar
        return timezone.now()


def _preview(message: dict, type_: str) -> str:
    if type_ == MessageType.TEXT:
        return (message.get("text") or {}).get("body", "")
    if type_ == MessageType.BUTTON:
        return (message.get("button") or {}).get("text", "")
    if type_ == MessageType.INTERACTIVE:
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return reply.get("title", "")
    if type_ == MessageType.REACTION:
        return (message.get("reaction") or {}).get("emoji", "")
    media = message.get(type_) or {}
    return media.get("caption", "") if isinstance(media, dict) else ""


# The hot path of every inbound message as fixed, prepared statements (salons.tenancy.sql): the ORM compiled these
# three queries anew for every message, which cost more CPU than everything else the relay does per message.
_CONVERSATION_WITH_CUSTOMER = TenantSQL(
    f"""
    SELECT {columns(Conversation, "c")}, {columns(Customer, "cu")}
    FROM {Conversation._meta.db_table} c JOIN {Customer._meta.db_table} cu ON cu.id = c.customer_id
    WHERE c.salon_id = %(salon)s AND cu.salon_id = %(salon)s AND (cu.bsuid = %(bsuid)s OR cu.wa_id = %(wa_id)s)
    ORDER BY cu.bsuid = %(bsuid)s DESC NULLS LAST
    LIMIT 1
    """  # noqa: S608 (identifiers from the models; every value is a parameter)
)
_CONVERSATION_FIELDS = len(Conversation._meta.concrete_fields)
# The conflict target of the constraint message_unique_salon_wamid.
_WAMID_CONFLICT = "(salon_id, wamid) WHERE wamid IS NOT NULL"
# GREATEST ignores NULLs: a first message sets the times, a late (reordered) one never moves them back.
_CONVERSATION_INBOUND = TenantSQL(
    f"""
    UPDATE {Conversation._meta.db_table}
    SET message_count = message_count + 1, inbound_count = inbound_count + 1,
        last_inbound_at = GREATEST(last_inbound_at, %(sent_at)s),
        window_expires_at = GREATEST(window_expires_at, %(expires)s),
        last_message_at = %(now)s
    WHERE id = %(id)s AND salon_id = %(salon)s
    """  # noqa: S608 (identifiers from the models; every value is a parameter)
)


def _customer_and_conversation(sender: Sender, *, salon: Salon) -> tuple[Customer, Conversation]:
    """Both rows in one query for a known customer (the hot path of every inbound message): the one with this BSUID
    first, else the one with this WhatsApp id; an empty id is passed as NULL, which equals nothing."""
    rows = _CONVERSATION_WITH_CUSTOMER.rows(bsuid=sender.bsuid or None, wa_id=sender.wa_id or None)
    if rows:
        conversation = instance(Conversation, rows[0][:_CONVERSATION_FIELDS])
        conversation.customer = instance(Customer, rows[0][_CONVERSATION_FIELDS:])
        # Found by WhatsApp id while the message has a BSUID this customer lacks: another customer (one without a
        # conversation yet) may hold that BSUID, and the BSUID wins; the full lookup decides.
        if not sender.bsuid or conversation.customer.bsuid == sender.bsuid:
            return customer_complete(conversation.customer, sender), conversation
    customer = customer_upsert(sender)
    return customer, conversation_for_customer(salon=salon, customer=customer)


# No savepoint of its own: the dispatcher runs every item in a savepoint already, and a failure here must roll the
# whole item back anyway. The hot path is three statements: the customer with their conversation, the INSERT (a
# duplicate wamid, even one arriving concurrently, is absorbed by ON CONFLICT DO NOTHING) and the window UPDATE.
@transaction.atomic(savepoint=False)
def inbound_message_receive(*, salon: Salon, value: dict, message: dict) -> InboundResult:
    """Store one inbound message, open the 24 h window, and handle STOP/START. A duplicate wamid changes nothing."""
    wamid = message.get("id")
    sender = sender_of(value, message)
    system_change = identity_change_apply(message) if message.get("type") == "system" else None
    if system_change is not None:
        sender = Sender(wa_id=system_change.wa_id, bsuid=system_change.bsuid)
    if not (sender.wa_id or sender.bsuid):
        # Never looked up: "" would find any customer without a WhatsApp id yet, "abc" is nobody's number.
        raise ValueError(f"the sender {str(message.get('from', ''))[:40]!r} is neither a BSUID nor a WhatsApp id")
    customer, conversation = _customer_and_conversation(sender, salon=salon)
    type_ = message.get("type")
    if type_ not in SUPPORTED_INBOUND:
        type_ = MessageType.UNSUPPORTED
    sent_at = _timestamp(message.get("timestamp"))
    context_id = (message.get("context") or {}).get("id")
    reply_to = Message.objects.filter(wamid=context_id).first() if context_id else None
    stored = Message(
        conversation=conversation,
        customer=customer,
        direction=Direction.INBOUND,
        type=type_,
        body=message,
        preview=_preview(message, type_)[:300],
        wamid=wamid,
        status=MessageStatus.RECEIVED,
        received_at=sent_at,
        reply_to=reply_to,
    )
    if not insert_ignoring_conflict(stored, conflict=_WAMID_CONFLICT):
        # A redelivery (or the same wamid arriving concurrently): nothing changes.
        return InboundResult(message=Message.objects.get(wamid=wamid), created=False)
    expires = sent_at + CUSTOMER_SERVICE_WINDOW
    now = timezone.now()
    _CONVERSATION_INBOUND.execute(sent_at=sent_at, expires=expires, now=now, id=conversation.pk)
    # The same values the UPDATE wrote, without reading the row back.
    conversation.message_count += 1
    conversation.inbound_count += 1
    conversation.last_inbound_at = max(filter(None, [conversation.last_inbound_at, sent_at]))
    conversation.window_expires_at = max(filter(None, [conversation.window_expires_at, expires]))
    conversation.last_message_at = now
    stored.conversation = conversation
    keyword = "system" if message.get("type") == "system" else None  # an identity change: nobody to answer
    if type_ == MessageType.TEXT:
        found = keyword_of(stored.preview, customer.language)
        if found:
            keyword = _apply_keyword(salon, customer, *found, reply_to=stored)
    return InboundResult(message=stored, created=True, keyword=keyword)


def _apply_keyword(salon: Salon, customer: Customer, kind: str, language: str, *, reply_to: Message) -> str:
    now = timezone.now()
    if kind == "stop":
        Customer.objects.filter(pk=customer.pk).update(opted_out_at=now, updated_at=now)
        customer.opted_out_at = now
        text = in_language(language, _stop_confirmation)
    else:
        Customer.objects.filter(pk=customer.pk).update(opted_out_at=None, updated_at=now)
        customer.opted_out_at = None
        text = in_language(language, _start_confirmation)
    try:
        message_send_text(salon=salon, customer=customer, text=text, reply_to=reply_to, bypass_opt_out=True)
    except WindowClosed:  # a keyword replayed long after it was sent: the opt-out still counts
        logger.info("keyword confirmation not sent: window closed", extra={"customer_id": customer.pk})
    logger.info("customer %s", "opted out" if kind == "stop" else "opted in", extra={"customer_id": customer.pk})
    return kind


@transaction.atomic
def inbound_status_receive(*, salon: Salon, status: dict) -> Message | None:
    """Apply one status (sent/delivered/read/failed): forward only, duplicates ignored, pricing and cost once."""
    message = Message.objects.select_for_update().filter(wamid=status.get("id")).first()
    if message is None:
        logger.info("status for an unknown wamid", extra={"wamid": status.get("id")})
        return None
    new = status.get("status")
    at = _timestamp(status.get("timestamp"))
    fields: set[str] = set()
    if new in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED):
        stamp = f"{new}_at"
        if getattr(message, stamp) is None:
            setattr(message, stamp, at)
            fields.add(stamp)
        # A read implies delivered even if Meta skipped (or has not yet sent) the delivered status.
        if new == MessageStatus.READ and message.delivered_at is None:
            message.delivered_at = at
            fields.add("delivered_at")
        if status_may_advance(message.status, new):
            message.status = new
            fields.add("status")
            if new == MessageStatus.FAILED:
                error = (status.get("errors") or [{}])[0]
                code = error.get("code")
                message.error_code = code
                message.error_title = (error.get("title") or error.get("message") or "")[:255]
                message.error_details = (error.get("error_data") or {}).get("details", "") or error.get("message", "")
                message.error_explanation = explain(code, salon.language)
                fields |= {"error_code", "error_title", "error_details", "error_explanation"}
    pricing = status.get("pricing")
    if pricing:
        fields |= _record_pricing(message, pricing, salon)
    if fields:
        message.save(update_fields=[*fields, "updated_at"])
    return message


def _record_pricing(message: Message, pricing: dict, salon: Salon) -> set[str]:
    message.pricing_model = pricing.get("pricing_model", message.pricing_model) or ""
    message.pricing_type = pricing.get("type", message.pricing_type) or ""
    message.pricing_category = pricing.get("category", message.pricing_category) or ""
    if "billable" in pricing:
        message.billable = bool(pricing["billable"])
    fields = {"pricing_model", "pricing_type", "pricing_category", "billable"}
    if message.cost is not None:
        return fields  # counted once, whatever Meta repeats
    if "type" in pricing:
        charged = pricing["type"] == "regular"
    else:  # older webhooks only say whether the message is billable
        charged = bool(pricing.get("billable"))
    cost, currency = (Decimal("0"), salon.currency)
    if charged:
        customer = message.customer
        recipient = customer.wa_id or customer.phone or customer.bsuid
        cost, currency = cost_for(recipient=recipient, category=message.pricing_category, currency=salon.currency)
    message.cost, message.cost_currency = cost, currency
    if cost:
        Conversation.objects.filter(pk=message.conversation_id).update(cost_total=F("cost_total") + cost)
        if currency == salon.currency:
            Salon.objects.filter(pk=salon.pk).update(whatsapp_cost_total=F("whatsapp_cost_total") + cost)
    return fields | {"cost", "cost_currency"}
