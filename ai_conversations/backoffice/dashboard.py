"""The assistant's cards on the morning dashboard: open handoffs (to the inbox) and this month's AI spend."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from ai_conversations.models import AIConversation, AIMessage, ConversationState
from salons.backoffice.dashboard import Card, dashboard_cards


@dashboard_cards(order=20)
def assistant_cards(request, salon, now) -> list[Card]:
    handoffs = AIConversation.objects.filter(state=ConversationState.HANDED_OFF).count()
    month_start = datetime.combine(now.astimezone(salon.tz).date().replace(day=1), time.min, tzinfo=salon.tz)
    spend = (
        AIMessage.objects.filter(created_at__gte=month_start)
        .values("cost_currency")
        .annotate(total=Sum("cost"))
        .order_by("cost_currency")
    )
    amounts = ", ".join(f"{row['total'] or Decimal('0'):.2f} {row['cost_currency']}" for row in spend) or "0.00 USD"
    return [
        Card(
            "handoffs",
            _("Open handoffs"),
            str(handoffs),
            _("customers waiting for a person"),
            url=reverse("admin:ai_conversations_inbox"),
            tone="bad" if handoffs else "good",
        ),
        Card("ai", _("AI this month"), amounts, url=f"{reverse('admin:ai_conversations_aimessage_changelist')}"),
    ]
