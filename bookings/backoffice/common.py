"""What the back-office pages share: the salon a page is about (one of the user's), dates from the query string,
and rendering in the salon's zone."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from bookings.models import BookingSource
from salons.models import Role, Salon
from salons.tenancy.admin import member_salon_ids
from salons.tenancy.admin_time import render_in_zone


def staff_override(request) -> dict:
    """How the back office changes a booking: as the signed-in person, from the admin, over the notice policy."""
    return {"actor": request.user, "source": BookingSource.ADMIN, "override_policy": True}


def user_salons(request, min_role: str = Role.VIEWER) -> list[Salon]:
    salons = Salon.objects.filter(is_active=True).order_by("name")
    if not request.user.is_superuser:
        salons = salons.filter(pk__in=member_salon_ids(request, min_role))
    return list(salons)


def chosen_salon(request, min_role: str = Role.VIEWER, source=None) -> tuple[Salon, list[Salon]]:
    """The salon named by ``?salon=`` (another salon's id: 404), else the user's first; no salon at all: 403."""
    salons = user_salons(request, min_role)
    if not salons:
        raise PermissionDenied
    wanted = (source if source is not None else request.GET).get("salon")
    salon = next((s for s in salons if str(s.pk) == wanted), None) if wanted else salons[0]
    if salon is None:
        raise Http404("No such salon.")
    return salon, salons


def query_date(value: str | None, salon: Salon) -> date:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        day = None
    return day or timezone.now().astimezone(salon.tz).date()


def render_page(request, salon: Salon, template: str, context: dict):
    return render_in_zone(request, salon.tz, lambda: TemplateResponse(request, template, context))
