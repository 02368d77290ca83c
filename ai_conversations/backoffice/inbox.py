"""The inbox: the user's salons' conversations, handed-off ones first, one of them as a chat thread with the reply
box, the 24 h window state and, when the window is closed, the approved templates to use instead. Replies go
through ``conversation_staff_reply`` (``AIConversationAdmin.reply_view``), which sends through messaging's outbox."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ai_conversations.models import ConversationState
from messaging.models import Conversation, Message, MessageTemplate, TemplateStatus
from salons.backoffice.dates import wall
from salons.tenancy import salon_scope
from salons.tenancy.admin_time import common_zone, render_in_zone

LISTED = 50
THREAD = 60


def inbox_queryset(model_admin, request):
    """The user's conversations (scoped by the tenancy mixin), handed off first, then the most recent."""
    first = Case(When(state=ConversationState.HANDED_OFF, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        model_admin.get_queryset(request)
        .select_related("customer", "salon")
        .annotate(handed_first=first)
        .order_by("handed_first", "-last_activity_at", "-pk")
    )


def _thread(selected) -> dict:
    """The chat of one conversation (messaging's messages), its window and the templates usable when closed."""
    salon = selected.salon
    tz = salon.tz
    with salon_scope(salon):
        window = Conversation.objects.filter(customer_id=selected.customer_id).first()
        rows = []
        if window is not None:
            recent = Message.objects.filter(conversation=window).order_by("-created_at", "-pk")[:THREAD]
            rows = [
                {
                    "message": m,
                    "when": wall(m.created_at, tz),
                    "text": m.preview or f"[{m.get_type_display()}]",
                }
                for m in reversed(list(recent))
            ]
        templates = list(MessageTemplate.objects.filter(status=TemplateStatus.APPROVED).order_by("name", "language"))
    language = selected.customer.language or selected.language or salon.language
    preferred = [t for t in templates if t.language.split("_")[0] == language] or templates
    return {
        "messages": rows,
        "window": window.window_state if window is not None else "none",
        "window_expires": (wall(window.window_expires_at, tz) if window and window.window_expires_at else ""),
        "templates": [{"name": t.name, "language": t.language, "body": t.body_text} for t in preferred],
        "suggested": preferred[0].name if preferred else "",
    }


def inbox_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    conversations = list(inbox_queryset(model_admin, request)[:LISTED])
    wanted = request.GET.get("c", "")
    selected = None
    if wanted.isdigit():
        selected = inbox_queryset(model_admin, request).filter(pk=int(wanted)).first()
    elif conversations:
        selected = conversations[0]
    now = timezone.now()
    items = []
    for conversation in conversations:
        local = conversation.last_activity_at.astimezone(conversation.salon.tz)
        items.append(
            {
                "conversation": conversation,
                "when": f"{local:%H:%M}"
                if local.date() == now.astimezone(local.tzinfo).date()
                else wall(local, fmt="d M"),
                "url": f"{reverse('admin:ai_conversations_inbox')}?c={conversation.pk}",
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Inbox"),
        "items": items,
        "selected": selected,
        "thread": _thread(selected) if selected is not None else None,
        "handed_off": sum(1 for c in conversations if c.state == ConversationState.HANDED_OFF),
    }
    zone = selected.salon.tz if selected is not None else common_zone(request)
    return render_in_zone(
        request, zone, lambda: TemplateResponse(request, "admin/ai_conversations/backoffice/inbox.html", context)
    )


def attention_badge(conversation) -> str:
    """The list's "Needs attention" column: a red badge when handed off, a quiet dash otherwise."""
    if conversation.needs_attention:
        return format_html('<span class="bo-badge status-no_show">{}</span>', _("Needs attention"))
    return "—"
