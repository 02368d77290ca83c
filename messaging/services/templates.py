"""WhatsApp message templates: create, edit and delete them on the salon's WABA, mirror Meta's list and its status
events, install the pack.

Functions that make a template take ``salon=``; those that act on one use the template's salon.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from config.api import Conflict
from config.publish import publish_on_commit
from messaging.booking_templates import PACK_LANGUAGES, pack_definitions
from messaging.errors import ChannelNotConnected, TemplateSubmitFailed
from messaging.models import MessageTemplate, ParameterFormat, TemplateCategory, TemplateStatus
from messaging.whatsapp import GraphAPIError, WhatsAppClient
from salons.models import Salon
from salons.tenancy import salon_scope

logger = logging.getLogger("chairside.messaging")


def _graph_failure(action: str, exc: GraphAPIError) -> TemplateSubmitFailed:
    detail = f" ({exc.details})" if exc.details else ""
    return TemplateSubmitFailed(f"WhatsApp refused to {action}: {exc.message or exc.title}{detail}. {exc.explanation}")


def _client_for(salon: Salon) -> WhatsAppClient:
    if not salon.waba_id or not salon.whatsapp_access_token:
        raise ChannelNotConnected("WhatsApp is not connected for this salon (no WABA id or access token).")
    return WhatsAppClient.for_salon(salon)


def _template_enqueue_push(template: MessageTemplate) -> None:
    from messaging.tasks import template_push as task  # messaging.tasks imports the services: late, for that cycle

    publish_on_commit(task, kwargs={"template_id": template.pk, "salon_id": str(template.salon_id)})


@transaction.atomic
def template_create(
    *,
    salon: Salon,
    name: str,
    language: str,
    category: str,
    components: list,
    parameter_format: str = ParameterFormat.POSITIONAL,
    submit_now: bool = False,
) -> MessageTemplate:
    """Add a template and submit it to the salon's WABA for review (after commit, or at once with ``submit_now``)."""
    with salon_scope(salon):
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


def template_submit(*, salon: Salon, **definition) -> MessageTemplate:
    """Create and submit at once (commands); Meta's refusal is raised as TemplateSubmitFailed."""
    return template_create(salon=salon, **definition, submit_now=True)


@transaction.atomic
def template_update(*, template: MessageTemplate, components: list | None = None, category: str | None = None):
    """Change a template's content; it goes back to review (PENDING) and is re-submitted after commit."""
    with salon_scope(template.salon):
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
    salon = template.salon
    with salon_scope(salon):
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
def template_sync(*, salon: Salon) -> dict[str, int]:
    """Mirror every template of the salon's WABA (paged); ones that vanished from Meta are marked DELETED."""
    with salon_scope(salon):
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


def template_sync_enqueue(*, salon: Salon) -> None:
    """Run template_sync for ``salon`` in the background (after commit)."""
    from messaging.tasks import template_sync as task  # messaging.tasks imports the services: late, for that cycle

    publish_on_commit(task, kwargs={"salon_id": str(salon.pk)})


def template_delete(*, template: MessageTemplate) -> None:
    """Delete this language of the template on Meta (when it was submitted) and here."""
    salon = template.salon
    with salon_scope(salon):
        if template.meta_id:
            with _client_for(salon) as client:
                try:
                    client.template_delete(name=template.name, meta_id=template.meta_id)
                except GraphAPIError as exc:
                    if exc.code != 100:  # already gone on Meta's side: delete ours too
                        raise _graph_failure("delete the template", exc) from exc
        template.delete()


def template_install_pack(
    *, salon: Salon, languages=PACK_LANGUAGES, approve_locally: bool = False
) -> list[MessageTemplate]:
    """Submit the booking pack (skipping templates already here). ``approve_locally`` is for demos without Meta."""
    with salon_scope(salon):
        installed = []
        for definition in pack_definitions(languages):
            existing = MessageTemplate.objects.filter(name=definition["name"], language=definition["language"]).first()
            if existing is not None:
                installed.append(existing)
            elif approve_locally:
                installed.append(MessageTemplate.objects.create(**definition, status=TemplateStatus.APPROVED))
            else:
                installed.append(template_submit(salon=salon, **definition))
        return installed


# Meta's template events carry the new status as "event"; a few events are not statuses.
_TEMPLATE_EVENT_STATUS = {
    "FLAGGED": TemplateStatus.PAUSED,
    "REINSTATED": TemplateStatus.APPROVED,
}


@transaction.atomic
def template_event_apply(*, salon: Salon, field: str, value: dict) -> MessageTemplate | None:
    """Apply message_template_status_update (and category/quality updates) to the mirrored template (called by the
    webhooks dispatcher, through ``messaging.inbound``, inside the salon's scope)."""
    meta_id = str(value.get("message_template_id", ""))
    name = value.get("message_template_name")
    language = value.get("message_template_language")
    queryset = MessageTemplate.objects.select_for_update()
    template = queryset.filter(meta_id=meta_id).first() if meta_id else None
    if template is None and name and language:
        template = queryset.filter(name=name, language=language).first()
    if field == "message_template_status_update":
        event = str(value.get("event", "")).upper()
        new_status = _TEMPLATE_EVENT_STATUS.get(event, event)
        if new_status not in TemplateStatus.values:
            logger.info("template event ignored", extra={"event": event})
            return template
        if template is None:
            if not (name and language):
                return None
            template = MessageTemplate(name=name, language=language, meta_id=meta_id)
        template.status = new_status
        template.meta_id = template.meta_id or meta_id
        reason = value.get("reason") or ""
        template.rejection_reason = "" if reason in ("", "NONE") else str(reason)
        if value.get("message_template_category") in ("MARKETING", "UTILITY", "AUTHENTICATION"):
            template.category = value["message_template_category"]
        template.save()
    elif field == "template_category_update" and template is not None:
        category = value.get("new_category")
        if category in ("MARKETING", "UTILITY", "AUTHENTICATION"):
            template.category = category
            template.save(update_fields=["category", "updated_at"])
    return template
