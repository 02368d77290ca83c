"""The calendar page: a day (a column per staff member) or a week (a column per day, a lane per staff member, or one
staff member's week through the staff filter)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings.backoffice.calendar import PX_PER_HOUR, build_grid
from bookings.backoffice.common import chosen_salon, query_date, render_page
from bookings.models import BookingStatus, StaffMember
from salons.backoffice.dates import DAY, LONG_DAY, wall
from salons.tenancy import salon_scope


def calendar_view(model_admin, request, mode: str = "day"):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    salon, salons = chosen_salon(request)
    mode = request.GET.get("view", mode)
    mode = mode if mode in ("day", "week") else "day"
    day = query_date(request.GET.get("date"), salon)
    with salon_scope(salon):
        all_staff = list(StaffMember.objects.filter(is_active=True).order_by("name", "pk").values("pk", "name"))
    wanted = request.GET.get("staff", "")
    staff_ids = [int(wanted)] if wanted.isdigit() and any(s["pk"] == int(wanted) for s in all_staff) else None
    if mode == "week":
        start, length, step = day - timedelta(days=day.weekday()), 7, timedelta(days=7)
    else:
        start, length, step = day, 1, timedelta(days=1)
    grid = build_grid(
        salon=salon,
        start=start,
        days=length,
        staff_ids=staff_ids,
        book_url=reverse("admin:bookings_booking_book"),
    )
    end = start + timedelta(days=length - 1)
    title = wall(start, fmt=LONG_DAY) if mode == "day" else f"{wall(start, fmt='d M')} – {wall(end, fmt=DAY)}"
    base = {"salon": salon.pk, "view": mode, **({"staff": staff_ids[0]} if staff_ids else {})}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"{_('Calendar')} · {salon.name} · {title}",
        "salon": salon,
        "salons": salons,
        "grid": grid,
        "mode": mode,
        "day": day,
        "previous": start - step,
        "next": start + step,
        "base_query": "&".join(f"{k}={v}" for k, v in base.items()),
        "staff_choices": all_staff,
        "staff_filter": staff_ids[0] if staff_ids else None,
        "px_per_hour": PX_PER_HOUR,
        "statuses": BookingStatus.choices,
        "lanes_per_day": len(grid.staff),
    }
    return render_page(request, salon, "admin/bookings/backoffice/calendar.html", context)
