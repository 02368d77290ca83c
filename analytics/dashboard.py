"""What the admin index shows: a salon's day (bookings by staff, handoffs waiting, 30-day KPIs) or, for superusers,
an all-salons overview. A constant number of queries per salon, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ai_conversations.models import AIConversation, ConversationState
from analytics.cache import stats_cached
from analytics.models import SalonDailyStats
from analytics.selectors import salon_stats_cached
from analytics.services import local_today, salon_stats_compute
from analytics.svg import bar_chart
from bookings.models import BookingStatus
from bookings.selectors import bookings_on_day
from salons.models import Salon
from salons.tenancy import salon_scope
from salons.tenancy.admin import member_salon_ids

KPI_DAYS = 30
WAITING_SHOWN = 20
OVERVIEW_SALONS = 50
OVERVIEW_LIVE_SALONS = 20  # salons whose today is computed live when not rolled up yet, per overview


def dashboard_context(request) -> dict[str, Any] | None:
    """The dashboard for the request's user: their salons, or every salon for a superuser; None for nobody."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    if user.is_superuser:
        return {"overview": all_salons_overview()}
    salons = Salon.objects.filter(pk__in=member_salon_ids(request), is_active=True).defer("whatsapp_access_token")
    return {"salons": [salon_dashboard(salon) for salon in salons.order_by("name")]}


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


def _bookings_by_staff(salon: Salon, day) -> list[dict[str, Any]]:
    by_staff: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for booking in bookings_on_day(salon=salon, day=day).exclude(status=BookingStatus.CANCELLED):
        by_staff[booking.staff.name].append(
            {
                "time": booking.starts_at.astimezone(salon.tz).strftime("%H:%M"),
                "customer": booking.customer.name or booking.customer.phone,
                "service": booking.service.name,
                "status": booking.get_status_display(),
                "url": _admin_url("bookings_booking_change", booking.pk),
            }
        )
    return [{"name": name, "bookings": rows} for name, rows in sorted(by_staff.items())]


def _waiting_for_a_person(salon: Salon) -> tuple[list[dict[str, Any]], int]:
    waiting = AIConversation.objects.filter(state=ConversationState.HANDED_OFF)
    rows = [
        {
            "customer": conversation.customer.name or conversation.customer.phone,
            "since": conversation.handed_off_at.astimezone(salon.tz) if conversation.handed_off_at else None,
            "reason": conversation.handoff_reason,
            "url": _admin_url("ai_conversations_aiconversation_change", conversation.pk),
        }
        for conversation in waiting.select_related("customer").order_by("handed_off_at")[:WAITING_SHOWN]
    ]
    total = len(rows) if len(rows) < WAITING_SHOWN else waiting.count()
    return rows, total


def salon_dashboard(salon: Salon) -> dict[str, Any]:
    today = local_today(salon)
    stats = salon_stats_cached(salon=salon, start=today - timedelta(days=KPI_DAYS - 1), end=today)
    totals, series = stats["totals"], stats["series"]
    with salon_scope(salon):
        days = [
            {"label": label, "date": day, "staff": _bookings_by_staff(salon, day)}
            for label, day in (("Today", today), ("Tomorrow", today + timedelta(days=1)))
        ]
        waiting, waiting_total = _waiting_for_a_person(salon)
    days_short = [(period["period"][5:], period) for period in series]
    return {
        "salon": salon,
        "days": days,
        "waiting": waiting,
        "waiting_total": waiting_total,
        "kpis": [
            ("Bookings", totals["bookings_created"], ""),
            ("No-show rate", _percent(totals["no_show_rate"]), ""),
            ("Revenue", totals["revenue"], totals["revenue_currency"]),
            ("Messages", totals["messages_in"] + totals["messages_out"], ""),
            ("WhatsApp cost", _money(totals["whatsapp_cost"]), totals["whatsapp_cost_currency"]),
            ("AI cost", _money(totals["ai_cost"]), totals["ai_cost_currency"]),
        ],
        "charts": [
            bar_chart([(d, p["bookings_created"]) for d, p in days_short], title="Bookings per day"),
            bar_chart(
                [(d, Decimal(p["revenue"])) for d, p in days_short],
                title="Revenue per day",
                unit=f" {salon.currency}",
                color="#79aec8",
            ),
            bar_chart(
                [(d, p["messages_in"] + p["messages_out"]) for d, p in days_short],
                title="Messages per day",
                color="#5b80b2",
            ),
            bar_chart(
                [(d, Decimal(p["whatsapp_cost"]) + Decimal(p["ai_cost"])) for d, p in days_short],
                title="WhatsApp + AI cost per day",
                color="#ba2121",
            ),
        ],
        "live_through": timezone.now().astimezone(salon.tz),
    }


def all_salons_overview() -> dict[str, Any]:
    """Superusers: the last 30 days of every active salon from the stored rollups, in three grouped queries."""
    since = timezone.now().date() - timedelta(days=KPI_DAYS - 1)
    rollups = SalonDailyStats.all_salons.filter(day__gte=since)
    per_salon = {
        row["salon_id"]: row
        for row in rollups.values("salon_id").annotate(
            bookings=Sum("bookings_created"),
            completed=Sum("bookings_completed"),
            no_show=Sum("bookings_no_show"),
            revenue=Sum("revenue"),
            messages=Sum("messages_in") + Sum("messages_out"),
            whatsapp_cost=Sum("whatsapp_cost"),
            ai_cost=Sum("ai_cost"),
        )
    }
    waiting = dict(
        AIConversation.all_salons.filter(state=ConversationState.HANDED_OFF)
        .values("salon_id")
        .annotate(n=Count("pk"))
        .values_list("salon_id", "n")
    )
    salons = list(Salon.objects.filter(is_active=True).only("pk", "name", "currency", "timezone"))
    live = _today_where_not_rolled_up(salons, rollups)
    rows = []
    revenue_by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for salon in salons:
        numbers = _plus(per_salon.get(salon.pk, {}), live.get(salon.pk))
        attended = (numbers.get("completed") or 0) + (numbers.get("no_show") or 0)
        revenue = numbers.get("revenue") or Decimal("0")
        revenue_by_currency[salon.currency] += revenue
        rows.append(
            {
                "salon": salon,
                "url": _admin_url("salons_salon_change", salon.pk),
                "bookings": numbers.get("bookings") or 0,
                "no_show_rate": _percent(numbers["no_show"] / attended if attended else None),
                "revenue": revenue,
                "messages": numbers.get("messages") or 0,
                "whatsapp_cost": _money(numbers.get("whatsapp_cost") or 0),
                "ai_cost": _money(numbers.get("ai_cost") or 0),
                "waiting": waiting.get(salon.pk, 0),
            }
        )
    rows.sort(key=lambda row: (-row["bookings"], row["salon"].name))
    per_day = list(rollups.values("day").annotate(n=Sum("bookings_created")).order_by("day"))
    if live:
        by_day = {row["day"]: row for row in per_day}
        for numbers in live.values():
            row = by_day.setdefault(numbers["day"], {"day": numbers["day"], "n": 0})
            row["n"] += numbers["bookings"]
        per_day = sorted(by_day.values(), key=lambda row: row["day"])
    return {
        "rows": rows[:OVERVIEW_SALONS],
        "more": max(len(rows) - OVERVIEW_SALONS, 0),
        "salon_count": len(rows),
        "bookings": sum(row["bookings"] for row in rows),
        "messages": sum(row["messages"] for row in rows),
        "waiting": sum(waiting.values()),
        "revenue": sorted(revenue_by_currency.items()),
        "chart": bar_chart(
            [(row["day"].isoformat()[5:], row["n"]) for row in per_day], title="Bookings per day, all salons"
        ),
    }


def _today_where_not_rolled_up(salons: list[Salon], rollups) -> dict[Any, dict[str, Any]]:
    """Today's numbers, computed live, of the salons whose today has no rollup row yet (a fresh install, or the
    minutes after a salon's midnight before the beat's next refresh); at most OVERVIEW_LIVE_SALONS of them."""
    now = timezone.now()
    stored = set(rollups.filter(day__gte=now.date() - timedelta(days=1)).values_list("salon_id", "day"))
    live = {}
    for salon in salons:
        today = local_today(salon, now)
        if (salon.pk, today) in stored:
            continue
        if len(live) >= OVERVIEW_LIVE_SALONS:
            break
        # Cached until the salon's stats version changes (a booking or message bumps it), as the stats API's today.
        day = stats_cached(salon.pk, f"live-day:{today}", lambda s=salon, d=today: salon_stats_compute(salon=s, day=d))
        live[salon.pk] = {
            "day": today,
            "bookings": day["bookings_created"],
            "completed": day["bookings_completed"],
            "no_show": day["bookings_no_show"],
            "revenue": day["revenue"],
            "messages": day["messages_in"] + day["messages_out"],
            "whatsapp_cost": day["whatsapp_cost"],
            "ai_cost": day["ai_cost"],
        }
    return live


def _plus(stored: dict[str, Any], live: dict[str, Any] | None) -> dict[str, Any]:
    if not live:
        return stored
    return {name: (stored.get(name) or 0) + value for name, value in live.items() if name != "day"}


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f} %"


def _money(value) -> str:
    return f"{Decimal(value):.2f}"
