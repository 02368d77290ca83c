"""Bookings' cards on the morning dashboard: today's bookings and free time, this week's revenue against the same
days of last week, and the no-show rate of the last 30 days, each linking to the bookings it counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings.availability import local_day_bounds
from bookings.backoffice.calendar import PX_PER_HOUR, build_grid
from bookings.models import Booking, BookingStatus
from salons.backoffice.dashboard import Card, dashboard_cards

NO_SHOW_DAYS = 30
GAP_MINUTES = 30  # a free stretch at least this long counts as a gap


def bookings_url(salon, start, end, **filters) -> str:
    """The booking list of [start, end) (and ``filters``): what a card counts."""
    query = {"salon__id__exact": salon.pk, "starts_at__gte": start.isoformat(), "starts_at__lt": end.isoformat()}
    return f"{reverse('admin:bookings_booking_changelist')}?{urlencode({**query, **filters})}"


def free_time_today(salon, day) -> tuple[int, int]:
    """Free working minutes left today across the staff, and how many stretches of ``GAP_MINUTES`` or more."""
    grid = build_grid(salon=salon, start=day, days=1)
    minutes, gaps = 0, 0
    for lane in grid.days[0].lanes if grid.days else []:
        blocks = [b for b in [*lane.bookings, *lane.time_off] if b.booking is None or b.booking.is_active]
        busy = sorted((b.top, b.top + b.height) for b in blocks)
        for block in lane.working:
            cursor, end = block.top, block.top + block.height
            for start, stop in busy:
                if stop <= cursor or start >= end:
                    continue
                free = (start - cursor) * 60 / PX_PER_HOUR
                minutes, gaps = minutes + max(free, 0), gaps + (free >= GAP_MINUTES)
                cursor = max(cursor, stop)
            free = (end - cursor) * 60 / PX_PER_HOUR
            minutes, gaps = minutes + max(free, 0), gaps + (free >= GAP_MINUTES)
    return int(minutes), gaps


def _revenue(start, end) -> Decimal:
    rows = Booking.objects.filter(starts_at__gte=start, starts_at__lt=end, status=BookingStatus.COMPLETED)
    return rows.aggregate(total=Sum("price"))["total"] or Decimal("0")


@dashboard_cards(order=10)
def booking_cards(request, salon, now) -> list[Card]:
    tz = salon.tz
    today = now.astimezone(tz).date()
    day_start, day_end = local_day_bounds(today, today, tz)
    todays = Booking.objects.filter(starts_at__gte=day_start, starts_at__lt=day_end).exclude(
        status=BookingStatus.CANCELLED
    )
    count = todays.count()
    minutes, gaps = free_time_today(salon, today)
    calendar = f"{reverse('admin:bookings_booking_day')}?salon={salon.pk}&date={today.isoformat()}"

    monday = today - timedelta(days=today.weekday())
    week_start, week_end = local_day_bounds(monday, today, tz)
    last_start, last_end = local_day_bounds(monday - timedelta(days=7), today - timedelta(days=7), tz)
    this_week, last_week = _revenue(week_start, week_end), _revenue(last_start, last_end)
    change = ""
    if last_week:
        change = f"{(this_week - last_week) / last_week * 100:+.0f} %"
    currency = salon.currency

    since = day_start - timedelta(days=NO_SHOW_DAYS)
    outcome = Booking.objects.filter(starts_at__gte=since, starts_at__lt=day_start).aggregate(
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        done=Count("pk", filter=Q(status__in=[BookingStatus.COMPLETED, BookingStatus.NO_SHOW])),
    )
    rate = f"{outcome['no_shows'] / outcome['done'] * 100:.0f} %" if outcome["done"] else "—"
    return [
        Card("today", _("Today's bookings"), str(count), url=bookings_url(salon, day_start, day_end)),
        Card(
            "gaps",
            _("Free time today"),
            f"{minutes // 60} h {minutes % 60:02d}",
            _("%(gaps)d gaps of 30 min or more") % {"gaps": gaps},
            url=calendar,
        ),
        Card(
            "revenue",
            _("Revenue this week"),
            f"{this_week:.2f} {currency}",
            _("last week by today: %(amount)s %(currency)s %(change)s")
            % {"amount": f"{last_week:.2f}", "currency": currency, "change": change},
            url=bookings_url(salon, week_start, week_end, status__exact=BookingStatus.COMPLETED),
            tone="good" if this_week >= last_week else "bad",
        ),
        Card(
            "no_shows",
            _("No-show rate (30 days)"),
            rate,
            _("%(no_shows)d of %(done)d appointments") % outcome,
            url=bookings_url(salon, since, day_start, status__exact=BookingStatus.NO_SHOW),
            tone="bad" if outcome["no_shows"] else "good",
        ),
    ]
