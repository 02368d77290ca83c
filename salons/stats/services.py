"""Daily rollups: one salon's numbers for one local day, computed with a few aggregate queries and upserted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from salons.models import Customer, Salon, SalonDailyStats
from salons.stats.cache import stats_version_bump
from salons.tenancy import salon_scope

# Replies later than this are not a "response" to the customer's turn (the customer-service window is 24 h).
RESPONSE_HORIZON = timedelta(hours=24)

METRIC_FIELDS = (
    "bookings_created",
    "bookings_confirmed",
    "bookings_cancelled",
    "bookings_completed",
    "bookings_no_show",
    "revenue",
    "revenue_currency",
    "new_customers",
    "messages_in",
    "messages_out",
    "templates_sent",
    "conversations_opened",
    "whatsapp_cost",
    "whatsapp_cost_currency",
    "ai_messages",
    "ai_tokens",
    "ai_cost",
    "ai_cost_currency",
    "handoffs",
    "first_response_median_seconds",
    "first_responses",
)


def local_today(salon: Salon, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(salon.tz).date()


def day_bounds(salon: Salon, day: date) -> tuple[datetime, datetime]:
    """[local midnight of ``day``, the next local midnight) as aware UTC datetimes (23 or 25 h on DST days)."""
    from bookings.availability import local_day_bounds

    return local_day_bounds(day, day, salon.tz)


def _in(field: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _booking_numbers(salon: Salon, start: datetime, end: datetime) -> dict[str, Any]:
    from bookings.models import Booking, BookingStatus

    on_day = _in("starts_at", start, end)
    # Every created/confirmed/cancelled time is <= updated_at, so the updated_at bound only narrows the scan.
    happened = Q(updated_at__gte=start) & (
        _in("created_at", start, end) | _in("confirmed_at", start, end) | _in("cancelled_at", start, end)
    )
    completed = on_day & Q(status=BookingStatus.COMPLETED)
    return Booking.objects.filter(on_day | happened).aggregate(
        bookings_created=Count("pk", filter=_in("created_at", start, end)),
        bookings_confirmed=Count("pk", filter=_in("confirmed_at", start, end)),
        bookings_cancelled=Count("pk", filter=_in("cancelled_at", start, end)),
        bookings_completed=Count("pk", filter=completed),
        bookings_no_show=Count("pk", filter=on_day & Q(status=BookingStatus.NO_SHOW)),
        revenue=Sum("price", filter=completed & Q(currency=salon.currency), default=Decimal("0")),
    )


def _message_numbers(salon: Salon, start: datetime, end: datetime) -> dict[str, Any]:
    from messaging.models import Direction, Message, MessageType

    outbound = Q(direction=Direction.OUTBOUND)
    return Message.objects.filter(_in("created_at", start, end)).aggregate(
        messages_in=Count("pk", filter=Q(direction=Direction.INBOUND)),
        messages_out=Count("pk", filter=outbound),
        templates_sent=Count("pk", filter=outbound & Q(type=MessageType.TEMPLATE)),
        # Cost belongs to the day the message was sent, whenever Meta's pricing status arrives.
        whatsapp_cost=Sum("cost", filter=Q(cost_currency=salon.currency), default=Decimal("0")),
    )


# Per conversation, in order: what came before each message and when the next reply went out. A customer's turn
# starts with an inbound message not preceded by another inbound one; a window opens with an inbound message that
# has no inbound message in the 24 h before it.
_FLOW_SQL = """
WITH flow AS (
    SELECT direction, created_at,
           lag(direction) OVER w AS previous_direction,
           max(created_at) FILTER (WHERE direction = 'inbound')
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_inbound_at,
           min(created_at) FILTER (WHERE direction = 'outbound')
               OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_outbound_at
    FROM {table}
    WHERE salon_id = %(salon_id)s AND created_at >= %(lookback)s AND created_at < %(lookahead)s
    WINDOW w AS (PARTITION BY conversation_id ORDER BY created_at, id)
), turns AS (
    SELECT previous_inbound_at IS NULL OR previous_inbound_at <= created_at - %(horizon)s AS opens_window,
           CASE WHEN previous_direction IS DISTINCT FROM 'inbound' AND next_outbound_at < created_at + %(horizon)s
                THEN extract(epoch FROM next_outbound_at - created_at) END AS response_seconds
    FROM flow
    WHERE direction = 'inbound' AND created_at >= %(start)s AND created_at < %(end)s
)
SELECT count(*) FILTER (WHERE opens_window),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY response_seconds),
       count(response_seconds)
FROM turns
"""


def _conversation_flow(salon: Salon, start: datetime, end: datetime) -> dict[str, Any]:
    from messaging.models import Message

    params = {
        "salon_id": salon.pk,
        "lookback": start - RESPONSE_HORIZON,
        "lookahead": end + RESPONSE_HORIZON,
        "start": start,
        "end": end,
        "horizon": RESPONSE_HORIZON,
    }
    with connection.cursor() as cursor:
        cursor.execute(_FLOW_SQL.format(table=Message._meta.db_table), params)
        opened, median, responses = cursor.fetchone()
    return {
        "conversations_opened": opened,
        "first_response_median_seconds": round(float(median), 3) if median is not None else None,
        "first_responses": responses,
    }


def _assistant_numbers(salon: Salon, start: datetime, end: datetime) -> dict[str, Any]:
    from ai_conversations.models import AIConversation, AIMessage, Direction
    from ai_conversations.providers import PRICE_CURRENCY

    numbers = AIMessage.objects.filter(_in("created_at", start, end)).aggregate(
        ai_messages=Count("pk", filter=Q(direction=Direction.OUTBOUND)),
        ai_tokens=Sum(F("prompt_tokens") + F("completion_tokens"), default=0),
        ai_cost=Sum("cost", filter=Q(cost_currency=PRICE_CURRENCY), default=Decimal("0")),
    )
    numbers["ai_cost_currency"] = PRICE_CURRENCY
    numbers["handoffs"] = AIConversation.objects.filter(_in("handed_off_at", start, end)).count()
    return numbers


def salon_stats_compute(*, salon: Salon, day: date) -> dict[str, Any]:
    """The day's numbers (salon-local midnight to midnight) without storing them; six aggregate queries."""
    start, end = day_bounds(salon, day)
    with salon_scope(salon):
        numbers = {
            **_booking_numbers(salon, start, end),
            "revenue_currency": salon.currency,
            "new_customers": Customer.objects.filter(_in("created_at", start, end)).count(),
            **_message_numbers(salon, start, end),
            "whatsapp_cost_currency": salon.currency,
            **_conversation_flow(salon, start, end),
            **_assistant_numbers(salon, start, end),
        }
    return {name: numbers[name] for name in METRIC_FIELDS}


@transaction.atomic
def salon_stats_rollup(*, salon: Salon, day: date, final: bool | None = None) -> SalonDailyStats:
    """Compute and upsert (INSERT ... ON CONFLICT) the salon's row for ``day``; re-running gives the same row.

    ``final`` defaults to "the day is over in the salon's zone". The stats cache is invalidated after commit.
    """
    if final is None:
        final = day < local_today(salon)
    row = SalonDailyStats(
        salon=salon, day=day, is_final=final, computed_at=timezone.now(), **salon_stats_compute(salon=salon, day=day)
    )
    SalonDailyStats.all_salons.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["salon", "day"],
        update_fields=[*METRIC_FIELDS, "is_final", "computed_at"],
    )
    transaction.on_commit(partial(stats_version_bump, salon.pk))
    return row
