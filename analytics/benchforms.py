"""The reads ``bench_queries`` times: Chairside's selectors beside the query forms of the system it replaces.

Each pair is (name, ours(salon), seed_form(salon)). The seed's forms, as its code ran them: four separate counts for
stats (and four cache reads when cached), every booking of a salon loaded to show a page or a status, a customer's
history with a query per booking for its service and staff, all bookings and messages loaded for the dashboard,
and intents found by grouping the raw message text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from django.core.cache import cache as django_cache
from django.db.models import Count, Sum

from ai_conversations.models import AIMessage
from analytics.cache import stats_version_bump
from analytics.dashboard import salon_dashboard
from analytics.models import IntentDailyStat
from analytics.selectors import salon_stats, salon_stats_cached
from analytics.services import local_today
from bookings.api.rows import booking_row_values
from bookings.models import Booking
from bookings.selectors import booking_list_queryset, customer_booking_history
from messaging.models import Message
from salons.models import Customer, Salon
from salons.tenancy import salon_scope


def sample(count: int) -> list[Salon]:
    """The three largest salons and random others (the same ones every run)."""
    salons = list(Salon.objects.filter(slug__startswith="bench-").defer("whatsapp_access_token").order_by("slug"))
    rest = salons[3:]
    return salons[:3] + random.Random(3).sample(rest, min(count - 3, len(rest)))


@cache
def _regular(salon_id) -> int:
    """The customer of the salon with the most bookings (the longest history)."""
    row = (
        Booking.all_salons.filter(salon_id=salon_id)
        .values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n", "customer_id")
        .first()
    )
    return row["customer_id"]


def _last_30_days(salon: Salon):
    today = local_today(salon)
    return today - timedelta(days=29), today


# --- ours ---------------------------------------------------------------------------------------------------------
def stats_uncached(salon):
    start, end = _last_30_days(salon)
    return salon_stats(salon=salon, start=start, end=end)


def stats_cached(salon):
    start, end = _last_30_days(salon)
    return salon_stats_cached(salon=salon, start=start, end=end)


# The list pages read as the API's list endpoints do (``BookingRowsListMixin``): the page's ``booking_row_values``.
def bookings_page(salon):
    with salon_scope(salon):
        return list(booking_row_values(booking_list_queryset().order_by("-starts_at", "-pk"))[:50])


def bookings_by_status(salon):
    with salon_scope(salon):
        queryset = booking_list_queryset().filter(status="confirmed").order_by("-starts_at", "-pk")
        return list(booking_row_values(queryset)[:50])


def customer_history(salon):
    customer = Customer(pk=_regular(salon.pk), salon=salon)
    with salon_scope(salon):
        return list(booking_row_values(customer_booking_history(customer=customer))[:50])


def dashboard(salon):
    stats_version_bump(salon.pk)  # uncached: the 30-day stats are recomputed every time
    return salon_dashboard(salon)


def intents(salon):
    start, _ = _last_30_days(salon)
    with salon_scope(salon):
        return list(IntentDailyStat.objects.filter(day__gte=start).values("intent").annotate(n=Sum("count")))


def salon_lookup(salon):
    return Salon.objects.filter(phone_number_id=salon.phone_number_id).defer("whatsapp_access_token")[:1].get()


# --- the seed's forms ---------------------------------------------------------------------------------------------
def seed_stats(salon):
    return (
        Booking.all_salons.filter(salon=salon).count(),
        Booking.all_salons.filter(salon=salon, status="completed").count(),
        Message.all_salons.filter(salon=salon).count(),
        Customer.all_salons.filter(salon=salon).count(),
    )


def seed_stats_cached(salon):
    keys = [f"bench-seed:{salon.pk}:{n}" for n in range(4)]
    values = [django_cache.get(key) for key in keys]
    if None in values:
        for key, value in zip(keys, seed_stats(salon), strict=True):
            django_cache.set(key, value, 3600)
    return values


def seed_bookings_page(salon):
    return list(Booking.all_salons.filter(salon=salon).order_by("-starts_at"))[:50]


def seed_bookings_by_status(salon):
    return list(Booking.all_salons.filter(salon=salon, status="confirmed"))


def seed_customer_history(salon):
    rows = list(Booking.all_salons.filter(customer_id=_regular(salon.pk)).order_by("-starts_at"))
    return [(b.service.name, b.staff.name) for b in rows]


def seed_dashboard(salon):
    bookings = list(Booking.all_salons.filter(salon=salon))
    messages = list(Message.all_salons.filter(salon=salon))
    return len([b for b in bookings if b.status == "no_show"]), len(messages)


def seed_intents(salon):
    return list(AIMessage.all_salons.filter(salon=salon).values("content").annotate(n=Count("id")))


def seed_salon_lookup(salon):
    return Salon.objects.filter(phone_number_id__iexact=salon.phone_number_id)[:1].get()


def query_pairs() -> list[tuple[str, Callable, Callable]]:
    return [
        ("stats_uncached", stats_uncached, seed_stats),
        ("stats_cached", stats_cached, seed_stats_cached),
        ("bookings_page", bookings_page, seed_bookings_page),
        ("bookings_by_status", bookings_by_status, seed_bookings_by_status),
        ("customer_history", customer_history, seed_customer_history),
        ("dashboard", dashboard, seed_dashboard),
        ("intents", intents, seed_intents),
        ("salon_lookup", salon_lookup, seed_salon_lookup),
    ]
