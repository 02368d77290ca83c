"""Who wrote: the sender of an inbound message as WhatsApp names them in 2026, and the salon's customer it is.

Since April 2026 every message webhook carries the user's business-scoped user ID (BSUID: ``from_user_id`` on the
message, ``user_id`` on the contact); the phone number (``from``, ``wa_id``) is there only when the user shares it,
and a user with a username (``contacts[].profile.username``) may withhold it. A customer is therefore matched by
BSUID first, then by WhatsApp id or phone, and never by an empty value (docs/messaging.md, "How customers are
identified").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from salons.models import BSUID_PATTERN, Customer, normalize_phone

logger = logging.getLogger("chairside.messaging")

_BSUID = re.compile(BSUID_PATTERN)
_WA_ID = re.compile(r"[1-9][0-9]{5,14}")
# The admin's "Try your assistant" customers (messaging.sandbox): no country code starts with 0, so no real WhatsApp
# user has such an id; accepted as a sender so that the sandbox takes the same inbound path as a real message.
SANDBOX_WA_ID_PREFIX = "000"
SANDBOX_WA_ID_PATTERN = re.compile(SANDBOX_WA_ID_PREFIX + r"[0-9]{12}")


def is_bsuid(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and bool(_BSUID.fullmatch(value))


def is_wa_id(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and bool(_WA_ID.fullmatch(value))


@dataclass(frozen=True)
class Sender:
    """What a webhook says about one WhatsApp user; any field may be "" (but never both ids)."""

    wa_id: str = ""
    bsuid: str = ""
    username: str = ""
    name: str = ""

    @property
    def phone(self) -> str:
        """The E.164 phone number of the WhatsApp id ("" when there is none)."""
        if not self.wa_id:
            return ""
        try:
            return normalize_phone(self.wa_id)
        except ValidationError:
            return "+" + self.wa_id


def sender_of(value: dict, message: dict) -> Sender:
    """The sender of ``message`` with what its change's ``contacts`` add (profile name, username)."""
    wa_id = str(message.get("from") or "")
    bsuid = str(message.get("from_user_id") or "")
    contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
    contact: dict = {}
    for candidate in contacts:
        if (bsuid and candidate.get("user_id") == bsuid) or (wa_id and str(candidate.get("wa_id")) == wa_id):
            contact = candidate
            break
    else:
        if len(contacts) == 1 and not (wa_id and bsuid):
            contact = contacts[0]  # one contact and only one id on the message: it is the sender
    bsuid = bsuid or str(contact.get("user_id") or "")
    wa_id = wa_id or str(contact.get("wa_id") or "")
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    return Sender(
        wa_id=wa_id if is_wa_id(wa_id) or SANDBOX_WA_ID_PATTERN.fullmatch(wa_id) else "",
        bsuid=bsuid if is_bsuid(bsuid) else "",
        username=str(profile.get("username") or "")[:100],
        name=str(profile.get("name") or "")[:200],
    )


def customer_find(sender: Sender) -> Customer | None:
    """The customer this sender is, in the salon in scope: by BSUID first, then WhatsApp id, then phone."""
    if sender.bsuid:
        customer = Customer.objects.filter(bsuid=sender.bsuid).first()
        if customer is not None:
            return customer
    if sender.wa_id:
        return (
            Customer.objects.filter(wa_id=sender.wa_id).first() or Customer.objects.filter(phone=sender.phone).first()
        )
    return None


def customer_upsert(sender: Sender) -> Customer:
    """The customer who sent this, created on first contact; what the webhook adds fills their blanks."""
    if not (sender.bsuid or sender.wa_id):
        raise ValueError("no BSUID and no WhatsApp id: that would be any customer who has not written yet")
    customer = customer_find(sender)
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    phone=sender.phone,
                    wa_id=sender.wa_id,
                    bsuid=sender.bsuid,
                    username=sender.username,
                    name=sender.name or sender.username,
                )
        except IntegrityError:  # a concurrent webhook created them first
            customer = customer_find(sender)
            if customer is None:
                raise
    return customer_complete(customer, sender)


def _free(field: str, value: str, customer: Customer) -> bool:
    """Whether no other customer of the salon holds ``value`` in ``field``."""
    return not Customer.objects.filter(**{field: value}).exclude(pk=customer.pk).exists()


def customer_complete(customer: Customer, sender: Sender) -> Customer:
    """Fill what the customer lacks from the webhook: a phone number shared later joins the same customer, the
    username follows its latest value, and a new BSUID (Meta issues one when the phone number changes) replaces the
    old one. An identifier another customer already holds is left where it is (never two customers with one id)."""
    updates: dict[str, str] = {}
    if sender.wa_id and not customer.wa_id and _free("wa_id", sender.wa_id, customer):
        updates["wa_id"] = sender.wa_id
    if sender.wa_id and not customer.phone and _free("phone", sender.phone, customer):
        updates["phone"] = sender.phone
    if sender.bsuid and customer.bsuid != sender.bsuid and _free("bsuid", sender.bsuid, customer):
        if customer.bsuid:
            logger.info("customer has a new BSUID", extra={"customer_id": customer.pk})
        updates["bsuid"] = sender.bsuid
    if sender.username and customer.username != sender.username:
        updates["username"] = sender.username
    if (sender.name or sender.username) and not customer.name:
        updates["name"] = sender.name or sender.username
    if updates:
        Customer.objects.filter(pk=customer.pk).update(**updates, updated_at=timezone.now())
        for key, value in updates.items():
            setattr(customer, key, value)
    return customer


def identity_change_apply(message: dict) -> Customer | None:
    """A ``system`` message: the user changed their phone number (``user_changed_number``: the new number and
    BSUID) or their BSUID alone (``user_changed_user_id``). The customer keeps their history under the new ids."""
    system = message.get("system") if isinstance(message.get("system"), dict) else {}
    kind = system.get("type")
    if kind not in ("user_changed_number", "customer_changed_number", "user_changed_user_id"):
        return None
    old = Sender(
        wa_id=str(system.get("customer") or message.get("from") or ""),
        bsuid=str(message.get("from_user_id") or ""),
    )
    old = Sender(wa_id=old.wa_id if is_wa_id(old.wa_id) else "", bsuid=old.bsuid if is_bsuid(old.bsuid) else "")
    customer = customer_find(old) if (old.wa_id or old.bsuid) else None
    if customer is None:
        return None
    new_wa_id = str(system.get("wa_id") or system.get("new_wa_id") or "")
    new_bsuid = str(system.get("user_id") or "")
    updates: dict[str, str] = {}
    if is_wa_id(new_wa_id) and new_wa_id != customer.wa_id and _free("wa_id", new_wa_id, customer):
        phone = Sender(wa_id=new_wa_id).phone
        updates["wa_id"] = new_wa_id
        if _free("phone", phone, customer):
            updates["phone"] = phone
    if is_bsuid(new_bsuid) and new_bsuid != customer.bsuid and _free("bsuid", new_bsuid, customer):
        updates["bsuid"] = new_bsuid
    if updates:
        Customer.objects.filter(pk=customer.pk).update(**updates, updated_at=timezone.now())
        for key, value in updates.items():
            setattr(customer, key, value)
        logger.info("customer identity changed: %s", kind, extra={"customer_id": customer.pk})
    return customer
