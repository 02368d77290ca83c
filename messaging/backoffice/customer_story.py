"""What messaging shows on a customer's page: the last conversation (a link, the last messages, the 24 h window)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from messaging.models import Conversation, Message
from salons.backoffice.dates import wall
from salons.backoffice.panels import customer_panel

LAST_MESSAGES = 3


@customer_panel(order=20)
def conversation_panel(request, customer) -> str:
    conversation = Conversation.objects.filter(customer=customer).first()
    messages = []
    if conversation is not None:
        rows = Message.objects.filter(conversation=conversation).order_by("-created_at", "-pk")[:LAST_MESSAGES]
        tz = customer.salon.tz
        messages = [{"message": m, "when": wall(m.created_at, tz)} for m in reversed(list(rows))]
    context = {
        "conversation": conversation,
        "messages": messages,
        "url": reverse("admin:messaging_conversation_change", args=[conversation.pk]) if conversation else "",
    }
    return render_to_string("admin/messaging/backoffice/customer_panel.html", context, request=request)
