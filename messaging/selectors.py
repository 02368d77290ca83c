"""Reads of messaging: conversations with window state, a conversation's messages, and the cost summary."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from messaging.models import Conversation, Message
from salons.models import Salon

# What the API's conversation and the admin's conversation page show of it: the window and the counters.
CONVERSATION_SUMMARY_FIELDS = (
    "customer", "window_state", "window_expires_at", "last_inbound_at", "last_message_at",
    "message_count", "inbound_count", "outbound_count", "cost_total", "cost_currency",
)  # fmt: skip


def conversation_list(*, window: str | None = None, queryset: QuerySet | None = None) -> QuerySet[Conversation]:
    """The salon's conversations, newest activity first; ``window`` = "open" | "expired" narrows by window state."""
    queryset = Conversation.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("customer").order_by("-last_message_at", "-pk")
    now = timezone.now()
    if window == "open":
        queryset = queryset.filter(window_expires_at__gt=now)
    elif window == "expired":
        queryset = queryset.exclude(window_expires_at__gt=now)
    return queryset


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages, newest first (what a chat view pages through)."""
    return Message.objects.filter(conversation=conversation).select_related("template").order_by("-created_at", "-pk")


def cost_summary(*, salon: Salon, start: date, end: date) -> dict:
    """Priced messages per local day and pricing category between ``start`` and ``end`` (inclusive)."""
    tz = salon.tz
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    rows = (
        Message.objects.filter(cost__isnull=False, created_at__gte=since, created_at__lt=until)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "pricing_category", "cost_currency")
        .annotate(messages=Count("pk"), cost=Sum("cost"))
        .order_by("day", "pricing_category", "cost_currency")
    )
    days = [
        {
            "date": row["day"].isoformat(),
            "category": row["pricing_category"] or "unknown",
            "currency": row["cost_currency"],
            "messages": row["messages"],
            "cost": str(row["cost"]),
        }
        for row in rows
    ]
    total = sum((Decimal(d["cost"]) for d in days if d["currency"] == salon.currency), Decimal("0"))
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "currency": salon.currency,
        "total": str(total),
        "days": days,
    }
