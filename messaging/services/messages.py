"""Outbound messages: validate (window, opt-out, template), write the outbox row, send after commit.

Every public function takes the salon it writes for (``salon=``) and runs inside that salon's scope; a customer of
another salon is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.publish import publish_on_commit
from localization import choose_language
from messaging.errors import CustomerOptedOut, InvalidMessage, TemplateNotApproved, WindowClosed
from messaging.models import (
    Conversation,
    Direction,
    Message,
    MessageStatus,
    MessageTemplate,
    MessageType,
    TemplateCategory,
    TemplateStatus,
)
from messaging.whatsapp import payloads
from salons.models import Customer, Salon
from salons.tenancy import salon_scope


def conversation_for_customer(*, salon: Salon, customer: Customer, lock: bool = False) -> Conversation:
    """The customer's conversation, created on first use (race-safe)."""
    with salon_scope(salon):
        _check_customer(salon, customer)
        return _conversation(customer, lock=lock)


def _conversation(customer: Customer, *, lock: bool = False) -> Conversation:
    queryset = Conversation.objects.select_for_update() if lock else Conversation.objects
    conversation, _ = queryset.get_or_create(
        customer=customer, defaults={"cost_currency": lambda: customer.salon.currency}
    )
    return conversation


def _check_customer(salon: Salon, customer: Customer) -> None:
    if customer.salon_id != salon.pk:
        # Never send another salon's customer a message from this salon's number.
        raise InvalidMessage("This customer belongs to another salon.", field="customer")


def _recipient(customer: Customer) -> dict[str, str]:
    """By phone when known, else by business-scoped user ID (``recipient``): docs/messaging.md."""
    return payloads.address(wa_id=customer.wa_id or customer.phone.lstrip("+"), bsuid=customer.bsuid)


def message_enqueue(message: Message) -> None:
    """Send the row after the surrounding transaction commits (the row is the outbox)."""
    from messaging.tasks import message_send  # messaging.tasks imports the services: late, to break that cycle

    publish_on_commit(message_send, kwargs={"message_id": message.pk, "salon_id": str(message.salon_id)})


def _create_outbound(
    customer: Customer,
    conversation: Conversation,
    type_: str,
    content: dict,
    *,
    preview: str,
    reply_to: Message | None = None,
    template: MessageTemplate | None = None,
    category_hint: str = "service",
) -> Message:
    """The outbox row of a message of ``type_`` with ``content`` (a reply when ``reply_to`` is given); free-form
    messages are service conversations, a template says its own category."""
    reply_wamid = reply_to.wamid if reply_to is not None else None
    body = payloads.envelope(_recipient(customer), type_, content, reply_wamid)
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        customer=customer,
        direction=Direction.OUTBOUND,
        type=type_,
        body=body,
        preview=preview[:300],
        status=MessageStatus.QUEUED,
        template=template,
        category_hint=category_hint or "",
        reply_to=reply_to,
        next_attempt_at=now,
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=F("message_count") + 1, outbound_count=F("outbound_count") + 1, last_message_at=now
    )
    message_enqueue(message)
    return message


def _free_form_checks(customer: Customer, *, bypass_opt_out: bool) -> Conversation:
    if customer.is_opted_out and not bypass_opt_out:
        raise CustomerOptedOut(
            "This customer sent STOP and receives no free-form messages until they send START.", field="customer"
        )
    conversation = _conversation(customer)
    if not conversation.is_window_open():
        expires = conversation.window_expires_at
        raise WindowClosed(
            "The 24-hour customer-service window is closed (the customer has not written in the last 24 hours). "
            "Only an approved template can be sent now.",
            extra={"window_expires_at": expires.isoformat() if expires else None},
        )
    return conversation


@transaction.atomic
def message_send_text(
    *,
    salon: Salon,
    customer: Customer,
    text: str,
    reply_to: Message | None = None,
    bypass_opt_out: bool = False,
    fallback_template: str | None = None,
    fallback_parameters: Sequence[str] = (),
) -> Message:
    """Queue a free-form text (only inside the 24 h window; ``bypass_opt_out`` is for the STOP confirmation).

    Outside the window the text is refused with ``WindowClosed``, unless the caller names ``fallback_template``:
    then that approved template (with ``fallback_parameters``) is sent instead, with all the template rules.
    """
    with salon_scope(salon):
        _check_customer(salon, customer)
        try:
            content = payloads.text_content(text, preview_url="http://" in text or "https://" in text)
        except payloads.PayloadError as exc:
            raise InvalidMessage(str(exc), field="text") from exc
        try:
            conversation = _free_form_checks(customer, bypass_opt_out=bypass_opt_out)
        except WindowClosed:
            if not fallback_template:
                raise
            return message_send_template(
                salon=salon, customer=customer, template_name=fallback_template, body_parameters=fallback_parameters
            )
        return _create_outbound(customer, conversation, MessageType.TEXT, content, preview=text, reply_to=reply_to)


@transaction.atomic
def message_send_interactive(
    *, salon: Salon, customer: Customer, interactive: dict, reply_to: Message | None = None
) -> Message:
    """Queue reply buttons or a list (inside the window), checked against Meta's limits first."""
    with salon_scope(salon):
        _check_customer(salon, customer)
        try:
            content = payloads.validate_interactive(interactive)
        except payloads.PayloadError as exc:
            raise InvalidMessage(str(exc), field=exc.field) from exc
        conversation = _free_form_checks(customer, bypass_opt_out=False)
        preview = (content.get("body") or {}).get("text", "")
        return _create_outbound(
            customer, conversation, MessageType.INTERACTIVE, content, preview=preview, reply_to=reply_to
        )


def _language_candidates(salon: Salon, customer: Customer, language: str | None, template_name: str = "") -> list[str]:
    """Languages to look for the template in, best first: the one asked for; else the customer's, else their phone
    number's country's when the salon has the template approved in it (+351 -> pt), else the salon's, else English."""
    if language:
        return [language]
    approved = (
        MessageTemplate.objects.filter(name=template_name, status=TemplateStatus.APPROVED).values_list(
            "language", flat=True
        )
        if template_name and not customer.language
        else []
    )
    chosen = choose_language(
        customer_language=customer.language,
        phone=customer.phone,
        salon_language=salon.language,
        available=list(approved),
    )
    ordered = [chosen, customer.language, salon.language, "en"]
    return [lang for i, lang in enumerate(ordered) if lang and lang not in ordered[:i]]


def template_language_for(*, salon: Salon, customer: Customer, template_name: str) -> str | None:
    """The language ``message_send_template`` will send ``template_name`` to ``customer`` in (None: no such
    template), so that the caller can write its parameters (dates, amounts) for that language."""
    with salon_scope(salon):
        _check_customer(salon, customer)
        template = _template_find(
            name=template_name, languages=_language_candidates(salon, customer, None, template_name)
        )
        return template.language if template is not None else None


def _template_find(*, name: str, languages: Sequence[str]) -> MessageTemplate | None:
    """The template ``name`` in the first language that exists ('pt' also finds 'pt_BR')."""
    rows = list(MessageTemplate.objects.filter(name=name))
    for language in languages:
        exact = [t for t in rows if t.language.lower() == language.lower()]
        if exact:
            return exact[0]
        regional = sorted(t for t in rows if t.language.lower().startswith(language.lower().split("_")[0] + "_"))
        if regional:
            return regional[0]
    return None


@transaction.atomic
def message_send_template(
    *,
    salon: Salon,
    customer: Customer,
    template_name: str,
    language: str | None = None,
    body_parameters: Sequence[str] = (),
    quick_reply_payloads: Sequence[str] = (),
    category_hint: str | None = None,
) -> Message:
    """Queue an approved template (allowed outside the window). Opted-out customers get no marketing templates."""
    with salon_scope(salon):
        _check_customer(salon, customer)
        languages = _language_candidates(salon, customer, language, template_name)
        template = _template_find(name=template_name, languages=languages)
        if template is None:
            raise TemplateNotApproved(
                f"There is no template {template_name!r} in {', '.join(languages)}. Submit it to WhatsApp first.",
                field="template_name",
            )
        if template.status != TemplateStatus.APPROVED:
            raise TemplateNotApproved(
                f"Template {template.name!r} ({template.language}) is {template.get_status_display().lower()}, "
                "not approved by WhatsApp, so it cannot be sent.",
                field="template_name",
            )
        if customer.is_opted_out and template.category == TemplateCategory.MARKETING:
            raise CustomerOptedOut(
                "This customer sent STOP: marketing templates are not sent to them.", field="customer"
            )
        expected = template.body_parameter_names
        body_parameters = [str(p) for p in body_parameters]
        if len(body_parameters) != len(expected):
            raise InvalidMessage(
                f"Template {template.name!r} needs {len(expected)} body parameters, got {len(body_parameters)}.",
                field="body_parameters",
            )
        if any(not p.strip() for p in body_parameters):
            raise InvalidMessage("Template parameters may not be empty.", field="body_parameters")
        if quick_reply_payloads and len(quick_reply_payloads) != template.quick_reply_count:
            raise InvalidMessage(
                f"Template {template.name!r} has {template.quick_reply_count} quick-reply buttons, "
                f"got {len(quick_reply_payloads)} payloads.",
                field="quick_reply_payloads",
            )
        params: Any = body_parameters
        if template.parameter_format == "NAMED":
            params = dict(zip(expected, body_parameters, strict=True))
        content = payloads.template_content(
            name=template.name,
            language=template.language,
            body_parameters=params,
            quick_reply_payloads=list(quick_reply_payloads),
        )
        return _create_outbound(
            customer,
            _conversation(customer),
            MessageType.TEMPLATE,
            content,
            preview=template.render_body(body_parameters),
            template=template,
            category_hint=(category_hint or template.category).lower(),
        )
