"""Outbound messaging services: validate (window, opt-out, template), write the outbox row, send after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.api import Conflict, DomainError
from config.publish import publish_on_commit
from messaging.errors import ChannelNotConnected, CustomerOptedOut, InvalidMessage, TemplateNotApproved, WindowClosed
from messaging.models import (
    Conversation,
    Direction,
    Message,
    MessageStatus,
    MessageTemplate,
    MessageType,
    ParameterFormat,
    TemplateCategory,
    TemplateStatus,
)
from messaging.template_pack import PACK_LANGUAGES, pack_definitions
from messaging.whatsapp import GraphAPIError, WhatsAppClient, payloads
from salons.localization import choose_language
from salons.models import Customer, Salon
from salons.tenancy import current_salon

__all__ = [
    "ChannelNotConnected",
    "CustomerOptedOut",
    "InvalidMessage",
    "TemplateNotApproved",
    "WindowClosed",
    "conversation_for_customer",
    "message_enqueue",
    "message_send_interactive",
    "message_send_template",
    "message_send_text",
    "template_create",
    "template_delete",
    "template_install_pack",
    "template_push",
    "template_submit",
    "template_sync",
    "template_sync_enqueue",
    "template_update",
]


def conversation_for_customer(*, customer: Customer, lock: bool = False) -> Conversation:
    """The customer's conversation, created on first use (race-safe)."""
    queryset = Conversation.objects.select_for_update() if lock else Conversation.objects
    conversation = queryset.filter(customer=customer).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(customer=customer, cost_currency=customer.salon.currency)
    except IntegrityError:
        return queryset.get(customer=customer)


def _check_scope(customer: Customer) -> None:
    if customer.salon_id != current_salon().pk:
        # Never send another salon's customer a message from this salon's number.
        raise InvalidMessage("This customer belongs to another salon.", field="customer")


def _recipient(customer: Customer) -> str:
    return customer.wa_id or customer.phone.lstrip("+")


def message_enqueue(message: Message) -> None:
    """Send the row after the surrounding transaction commits (the row is the outbox)."""
    from messaging.tasks import message_send

    publish_on_commit(message_send, kwargs={"message_id": message.pk, "salon_id": str(message.salon_id)})


def _create_outbound(
    *,
    customer: Customer,
    conversation: Conversation,
    type_: str,
    body: dict,
    preview: str,
    reply_to: Message | None,
    template: MessageTemplate | None = None,
    category_hint: str = "",
) -> Message:
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
    _check_scope(customer)
    if customer.is_opted_out and not bypass_opt_out:
        raise CustomerOptedOut(
            "This customer sent STOP and receives no free-form messages until they send START.", field="customer"
        )
    conversation = conversation_for_customer(customer=customer)
    if not conversation.is_window_open():
        expires = conversation.window_expires_at
        raise WindowClosed(
            "The 24-hour customer-service window is closed (the customer has not written in the last 24 hours). "
            "Only an approved template can be sent now.",
            extra={"window_expires_at": expires.isoformat() if expires else None},
        )
    return conversation


def _reply_wamid(reply_to: Message | None) -> str | None:
    return reply_to.wamid if reply_to is not None else None


@transaction.atomic
def message_send_text(
    *,
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
            customer=customer, template_name=fallback_template, body_parameters=fallback_parameters
        )
    body = payloads.envelope(_recipient(customer), "text", content, _reply_wamid(reply_to))
    return _create_outbound(
        customer=customer,
        conversation=conversation,
        type_=MessageType.TEXT,
        body=body,
        preview=text,
        reply_to=reply_to,
        category_hint="service",
    )


@transaction.atomic
def message_send_interactive(*, customer: Customer, interactive: dict, reply_to: Message | None = None) -> Message:
    """Queue reply buttons or a list (inside the window), checked against Meta's limits first."""
    try:
        content = payloads.validate_interactive(interactive)
    except payloads.PayloadError as exc:
        raise InvalidMessage(str(exc), field=exc.field) from exc
    conversation = _free_form_checks(customer, bypass_opt_out=False)
    body = payloads.envelope(_recipient(customer), "interactive", content, _reply_wamid(reply_to))
    return _create_outbound(
        customer=customer,
        conversation=conversation,
        type_=MessageType.INTERACTIVE,
        body=body,
        preview=(content.get("body") or {}).get("text", ""),
        reply_to=reply_to,
        category_hint="service",
    )


def _language_candidates(customer: Customer, language: str | None, template_name: str = "") -> list[str]:
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
        salon_language=customer.salon.language,
        available=list(approved),
    )
    ordered = [chosen, customer.language, customer.salon.language, "en"]
    return [lang for i, lang in enumerate(ordered) if lang and lang not in ordered[:i]]


def template_language_for(*, customer: Customer, template_name: str) -> str | None:
    """The language ``message_send_template`` will send ``template_name`` to ``customer`` in (None: no such
    template), so that the caller can write its parameters (dates, amounts) for that language."""
    _check_scope(customer)
    template = template_find(name=template_name, languages=_language_candidates(customer, None, template_name))
    return template.language if template is not None else None


def template_find(*, name: str, languages: Sequence[str]) -> MessageTemplate | None:
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
    customer: Customer,
    template_name: str,
    language: str | None = None,
    body_parameters: Sequence[str] = (),
    quick_reply_payloads: Sequence[str] = (),
    category_hint: str | None = None,
) -> Message:
    """Queue an approved template (allowed outside the window). Opted-out customers get no marketing templates."""
    _check_scope(customer)
    languages = _language_candidates(customer, language, template_name)
    template = template_find(name=template_name, languages=languages)
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
        raise CustomerOptedOut("This customer sent STOP: marketing templates are not sent to them.", field="customer")
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
    conversation = conversation_for_customer(customer=customer)
    body = payloads.envelope(_recipient(customer), "template", content)
    return _create_outbound(
        customer=customer,
        conversation=conversation,
        type_=MessageType.TEMPLATE,
        body=body,
        preview=template.render_body(body_parameters),
        reply_to=None,
        template=template,
        category_hint=(category_hint or template.category).lower(),
    )


# --- templates ---------------------------------------------------------------------------------------------------


class TemplateSubmitFailed(DomainError):
    code = "template_submit_failed"


def _graph_failure(action: str, exc: GraphAPIError) -> TemplateSubmitFailed:
    detail = f" ({exc.details})" if exc.details else ""
    return TemplateSubmitFailed(f"WhatsApp refused to {action}: {exc.message or exc.title}{detail}. {exc.explanation}")


def _client_for(salon: Salon) -> WhatsAppClient:
    if not salon.waba_id or not salon.whatsapp_access_token:
        raise ChannelNotConnected("WhatsApp is not connected for this salon (no WABA id or access token).")
    return WhatsAppClient.for_salon(salon)


def _template_enqueue_push(template: MessageTemplate) -> None:
    from messaging.tasks import template_push as task

    publish_on_commit(task, kwargs={"template_id": template.pk, "salon_id": str(template.salon_id)})


@transaction.atomic
def template_create(
    *,
    name: str,
    language: str,
    category: str,
    components: list,
    parameter_format: str = ParameterFormat.POSITIONAL,
    submit_now: bool = False,
) -> MessageTemplate:
    """Add a template and submit it to the salon's WABA for review (after commit, or at once with ``submit_now``)."""
    if MessageTemplate.objects.filter(name=name, language=language).exists():
        raise Conflict(f"Template {name!r} already exists in {language}.", field="name")
    template = MessageTemplate.objects.create(
        name=name,
        language=language,
        category=category,
        components=components,
        parameter_format=parameter_format,
        status=TemplateStatus.PENDING,
    )
    if submit_now:
        template_push(template=template)
    else:
        _template_enqueue_push(template)
    return template


def template_submit(**definition) -> MessageTemplate:
    """Create and submit at once (commands); Meta's refusal is raised as TemplateSubmitFailed."""
    return template_create(**definition, submit_now=True)


@transaction.atomic
def template_update(*, template: MessageTemplate, components: list | None = None, category: str | None = None):
    """Change a template's content; it goes back to review (PENDING) and is re-submitted after commit."""
    if components is not None:
        template.components = components
    if category is not None:
        template.category = category
    template.status = TemplateStatus.PENDING
    template.rejection_reason = ""
    template.save()
    _template_enqueue_push(template)
    return template


def template_push(*, template: MessageTemplate) -> MessageTemplate:
    """Send the template to Meta: create it (no meta_id yet) or edit it. A refusal marks it REJECTED with the reason.

    Transient failures are raised (the task retries them); permanent ones are stored and raised as TemplateSubmitFailed.
    """
    salon = current_salon()
    with _client_for(salon) as client:
        try:
            if template.meta_id:
                client.template_edit(
                    meta_id=template.meta_id, components=template.components, category=template.category
                )
                answer = {"status": TemplateStatus.PENDING}
            else:
                answer = client.template_create(
                    name=template.name,
                    language=template.language,
                    category=template.category,
                    components=template.components,
                    parameter_format=template.parameter_format,
                )
        except GraphAPIError as exc:
            if exc.retryable:
                raise
            failure = _graph_failure("accept the template", exc)
            MessageTemplate.objects.filter(pk=template.pk).update(
                status=TemplateStatus.REJECTED, rejection_reason=failure.message, updated_at=timezone.now()
            )
            raise failure from exc
    status = answer.get("status", TemplateStatus.PENDING)
    template.status = status if status in TemplateStatus.values else TemplateStatus.PENDING
    template.meta_id = str(answer.get("id", template.meta_id))
    if answer.get("category") in TemplateCategory.values:
        template.category = answer["category"]
    template.last_synced_at = timezone.now()
    template.save(update_fields=["status", "meta_id", "category", "last_synced_at", "updated_at"])
    return template


@transaction.atomic
def template_sync() -> dict[str, int]:
    """Mirror every template of the salon's WABA (paged); ones that vanished from Meta are marked DELETED."""
    salon = current_salon()
    seen: set[int] = set()
    created = updated = 0
    now = timezone.now()
    with _client_for(salon) as client:
        try:
            remote = list(client.template_list())
        except GraphAPIError as exc:
            raise _graph_failure("list the templates", exc) from exc
    for item in remote:
        status = item.get("status", "")
        category = item.get("category", TemplateCategory.UTILITY)
        defaults = {
            "status": status if status in TemplateStatus.values else TemplateStatus.PENDING,
            "category": category if category in TemplateCategory.values else TemplateCategory.UTILITY,
            "components": item.get("components", []),
            "parameter_format": item.get("parameter_format") or ParameterFormat.POSITIONAL,
            "meta_id": str(item.get("id", "")),
            "rejection_reason": "" if item.get("rejected_reason") in (None, "NONE") else item["rejected_reason"],
            "last_synced_at": now,
        }
        template, was_created = MessageTemplate.objects.update_or_create(
            name=item["name"], language=item["language"], defaults=defaults
        )
        seen.add(template.pk)
        created += was_created
        updated += not was_created
    gone = (
        MessageTemplate.objects.exclude(pk__in=seen)
        .exclude(meta_id="")
        .exclude(status=TemplateStatus.DELETED)
        .update(status=TemplateStatus.DELETED, last_synced_at=now)
    )
    return {"created": created, "updated": updated, "deleted": gone}


def template_sync_enqueue() -> None:
    """Run template_sync for the salon in scope in the background (after commit)."""
    from messaging.tasks import template_sync as task

    publish_on_commit(task, kwargs={"salon_id": str(current_salon().pk)})


def template_delete(*, template: MessageTemplate) -> None:
    """Delete this language of the template on Meta (when it was submitted) and here."""
    salon = current_salon()
    if template.meta_id:
        with _client_for(salon) as client:
            try:
                client.template_delete(name=template.name, meta_id=template.meta_id)
            except GraphAPIError as exc:
                if exc.code != 100:  # already gone on Meta's side: delete ours too
                    raise _graph_failure("delete the template", exc) from exc
    template.delete()


def template_install_pack(*, languages=PACK_LANGUAGES, approve_locally: bool = False) -> list[MessageTemplate]:
    """Submit the booking pack (skipping templates already here). ``approve_locally`` is for demos without Meta."""
    installed = []
    for definition in pack_definitions(languages):
        existing = MessageTemplate.objects.filter(name=definition["name"], language=definition["language"]).first()
        if existing is not None:
            installed.append(existing)
        elif approve_locally:
            installed.append(MessageTemplate.objects.create(**definition, status=TemplateStatus.APPROVED))
        else:
            installed.append(template_submit(**definition))
    return installed
