"""Daily rollups: one salon's numbers for one local day (one SQL statement, upserted), and the assistant's intents
per local day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage
from ai_conversations.models import Direction as AIDirection
from ai_conversations.providers import PRICE_CURRENCY
from analytics.cache import stats_version_bump
from analytics.models import IntentDailyStat, SalonDailyStats
from bookings.availability import local_day_bounds
from bookings.models import Booking, BookingStatus
from messaging.models import Direction, Message, MessageType
from salons.models import Customer, Salon
from salons.tenancy import salon_scope
from salons.tenancy.sql import TenantSQL

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
    return local_day_bounds(day, day, salon.tz)


# One statement, one round trip: each CTE is one aggregate over one table's index range for the salon and day.
# ``flow`` orders each conversation's messages: a customer's turn starts with an inbound message not preceded by
# another inbound one (its response time runs to the next outbound message within 24 h); a customer-service window
# opens with an inbound message that has no inbound message in the 24 h before it.
_DAY_SQL = """
WITH bookings AS (
    SELECT count(*) FILTER (WHERE created_at >= %(start)s AND created_at < %(end)s) AS bookings_created,
           count(*) FILTER (WHERE confirmed_at >= %(start)s AND confirmed_at < %(end)s) AS bookings_confirmed,
           count(*) FILTER (WHERE cancelled_at >= %(start)s AND cancelled_at < %(end)s) AS bookings_cancelled,
           count(*) FILTER (WHERE on_day AND status = %(completed)s) AS bookings_completed,
           count(*) FILTER (WHERE on_day AND status = %(no_show)s) AS bookings_no_show,
           coalesce(sum(price) FILTER (WHERE on_day AND status = %(completed)s AND currency = %(currency)s), 0)
               AS revenue
    FROM (SELECT *, starts_at >= %(start)s AND starts_at < %(end)s AS on_day FROM {booking}
          WHERE salon_id = %(salon)s
            AND ((starts_at >= %(start)s AND starts_at < %(end)s)
                 -- created/confirmed/cancelled times are all <= updated_at: the bound only narrows the scan
                 OR (updated_at >= %(start)s AND ((created_at >= %(start)s AND created_at < %(end)s)
                     OR (confirmed_at >= %(start)s AND confirmed_at < %(end)s)
                     OR (cancelled_at >= %(start)s AND cancelled_at < %(end)s))))) AS b
), customers AS (
    SELECT count(*) AS new_customers FROM {customer}
    WHERE salon_id = %(salon)s AND created_at >= %(start)s AND created_at < %(end)s
), messages AS (
    SELECT count(*) FILTER (WHERE direction = %(inbound)s) AS messages_in,
           count(*) FILTER (WHERE direction = %(outbound)s) AS messages_out,
           count(*) FILTER (WHERE direction = %(outbound)s AND type = %(template)s) AS templates_sent,
           -- cost belongs to the day the message was sent, whenever Meta's pricing status arrives
           coalesce(sum(cost) FILTER (WHERE cost_currency = %(currency)s), 0) AS whatsapp_cost
    FROM {message} WHERE salon_id = %(salon)s AND created_at >= %(start)s AND created_at < %(end)s
), flow AS (
    SELECT direction, created_at,
           lag(direction) OVER w AS previous_direction,
           max(created_at) FILTER (WHERE direction = %(inbound)s)
               OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_inbound_at,
           min(created_at) FILTER (WHERE direction = %(outbound)s)
               OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_outbound_at
    FROM {message}
    WHERE salon_id = %(salon)s AND created_at >= %(lookback)s AND created_at < %(lookahead)s
    WINDOW w AS (PARTITION BY conversation_id ORDER BY created_at, id)
), turns AS (
    SELECT previous_inbound_at IS NULL OR previous_inbound_at <= created_at - %(horizon)s AS opens_window,
           CASE WHEN previous_direction IS DISTINCT FROM %(inbound)s AND next_outbound_at < created_at + %(horizon)s
                THEN extract(epoch FROM next_outbound_at - created_at) END AS response_seconds
    FROM flow WHERE direction = %(inbound)s AND created_at >= %(start)s AND created_at < %(end)s
), conversations AS (
    SELECT count(*) FILTER (WHERE opens_window) AS conversations_opened,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY response_seconds)::numeric, 3)::float8
               AS first_response_median_seconds,
           count(response_seconds) AS first_responses
    FROM turns
), assistant AS (
    SELECT count(*) FILTER (WHERE direction = %(ai_outbound)s) AS ai_messages,
           coalesce(sum(prompt_tokens + completion_tokens), 0) AS ai_tokens,
           coalesce(sum(cost) FILTER (WHERE cost_currency = %(ai_currency)s), 0) AS ai_cost
    FROM {aimessage} WHERE salon_id = %(salon)s AND created_at >= %(start)s AND created_at < %(end)s
), handoffs AS (
    SELECT count(*) AS handoffs FROM {aiconversation}
    WHERE salon_id = %(salon)s AND handed_off_at >= %(start)s AND handed_off_at < %(end)s
)
"""
_DAY_SELECT = "SELECT * FROM bookings, customers, messages, conversations, assistant, handoffs"
# The numbers of a day (the currencies are the salon's and the provider's, not stored per row by the live slice).
NUMBER_FIELDS = tuple(name for name in METRIC_FIELDS if not name.endswith("_currency"))


def _day_ctes() -> str:
    return _DAY_SQL.format(
        booking=Booking._meta.db_table,
        customer=Customer._meta.db_table,
        message=Message._meta.db_table,
        aimessage=AIMessage._meta.db_table,
        aiconversation=AIConversation._meta.db_table,
    )


@cache
def _day_statement() -> TenantSQL:
    return TenantSQL(_day_ctes() + _DAY_SELECT)


def _stored_select() -> str:
    meta = SalonDailyStats._meta
    names = ", ".join(meta.get_field(name).column for name in ("day", *NUMBER_FIELDS))
    return (
        f"SELECT {names} FROM {meta.db_table} "  # noqa: S608 (column and table names from the model)
        "WHERE salon_id = %(salon)s AND day >= %(stored_from)s AND day <= %(stored_to)s"
    )


@cache
def stored_days_statement() -> TenantSQL:
    """Rows ``(day, *NUMBER_FIELDS)`` of the stored rollups of days ``stored_from``..``stored_to``."""
    return TenantSQL(_stored_select())


@cache
def stored_and_live_days_statement() -> TenantSQL:
    """``stored_days_statement``'s rows and the live row of ``day`` (``day_params``) in one statement, one round
    trip: the stats API's usual range ends today."""
    live = _DAY_SELECT.replace("SELECT *", f"SELECT %(day)s::date, {', '.join(NUMBER_FIELDS)}")  # the CTEs' columns
    return TenantSQL(f"{_day_ctes()}{_stored_select()}\nUNION ALL\n{live}")


def salon_stats_compute(*, salon: Salon, day: date) -> dict[str, Any]:
    """The day's numbers (salon-local midnight to midnight) without storing them, in one SQL statement.

    Fixed SQL through ``salons.tenancy.sql.TenantSQL`` (every CTE filters on the salon in scope, entered here): one
    round trip keeps today's live slice of the stats API cheap.
    """
    with salon_scope(salon):
        numbers = _day_statement().first_as_dict(**day_params(salon, day))
    numbers.update(
        revenue_currency=salon.currency, whatsapp_cost_currency=salon.currency, ai_cost_currency=PRICE_CURRENCY
    )
    return {name: numbers[name] for name in METRIC_FIELDS}


def day_params(salon: Salon, day: date) -> dict[str, Any]:
    """The parameters of the day's statement (the salon itself is bound by ``TenantSQL`` from the scope)."""
    start, end = day_bounds(salon, day)
    return {
        "day": day,
        "start": start,
        "end": end,
        "lookback": start - RESPONSE_HORIZON,
        "lookahead": end + RESPONSE_HORIZON,
        "horizon": RESPONSE_HORIZON,
        "currency": salon.currency,
        "completed": BookingStatus.COMPLETED.value,
        "no_show": BookingStatus.NO_SHOW.value,
        "inbound": Direction.INBOUND.value,
        "outbound": Direction.OUTBOUND.value,
        "template": MessageType.TEMPLATE.value,
        "ai_outbound": AIDirection.OUTBOUND.value,
        "ai_currency": PRICE_CURRENCY,
    }


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


@transaction.atomic
def intent_stats_rollup(*, salon: Salon, day: date) -> dict[str, int]:
    """Count inbound messages per intent on one local day of the salon into IntentDailyStat (idempotent).

    Reads only (salon, created_at, intent) through the index of the same name: no message text is scanned.
    """
    start, end = day_bounds(salon, day)
    with salon_scope(salon):
        counts = dict(
            AIMessage.objects.filter(direction=AIDirection.INBOUND, created_at__gte=start, created_at__lt=end)
            .exclude(intent="")
            .values_list("intent")
            .annotate(n=Count("id"))
            .values_list("intent", "n")
        )
        IntentDailyStat.objects.filter(day=day).exclude(intent__in=list(counts)).delete()
        for intent, count in counts.items():
            IntentDailyStat.objects.update_or_create(day=day, intent=intent, defaults={"count": count})
    return counts
