"""The admin's clock: every time a person reads or types in the admin is on the salon's wall clock.

A page about one salon's row (change form, delete, history, day view) runs in that salon's zone, and its response is
rendered inside it (a ``TemplateResponse`` renders after the view returns, so leaving the zone before rendering would
show UTC in a form that is then parsed in the salon's zone: each unchanged save would move the time). A list runs in
the one zone the user's salons share; when they do not share one (a superuser, or a member of salons in several
zones), each time in a list is shown in its own row's zone with the zone's abbreviation beside it. Every other admin
page runs in the shared zone (``AdminTimeZoneMiddleware``). Forms of tenant-owned rows read typed times as the salon's
wall clock whatever zone the page ran in. The header names the page's zone once (``templates/admin/base_site.html``).
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from datetime import datetime

from django import forms
from django.db import models
from django.urls import reverse
from django.utils import timezone

from salons.models import Salon

MIXED = "mixed"  # request.chairside_zone when a page shows rows of several zones, each with its own


def _member_salon_ids(request) -> list:
    from salons.tenancy.admin import member_salon_ids  # that module imports this one: imported late to break the cycle

    return member_salon_ids(request)


def _visible_salons(request):
    salons = Salon.objects.all()
    return salons if request.user.is_superuser else salons.filter(pk__in=_member_salon_ids(request))


def salon_zone(request, salon_id) -> zoneinfo.ZoneInfo | None:
    """The zone of one salon the user may see (cached on the request: one query per salon on a page)."""
    zones = request.__dict__.setdefault("_chairside_salon_zones", {})
    if salon_id not in zones:
        name = _visible_salons(request).filter(pk=salon_id).values_list("timezone", flat=True).first()
        zones[salon_id] = zoneinfo.ZoneInfo(name) if name else None
    return zones[salon_id]


def common_zone(request) -> zoneinfo.ZoneInfo | None:
    """The one zone all the user's salons share, else None (one small query, cached on the request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    if not hasattr(request, "_chairside_common_zone"):
        names = list(_visible_salons(request).order_by().values_list("timezone", flat=True).distinct()[:2])
        request._chairside_common_zone = zoneinfo.ZoneInfo(names[0]) if len(names) == 1 else None
    return request._chairside_common_zone


def page_zone_name(request) -> str:
    """What the header says: the zone the page's times are in (the active one unless a view chose), or MIXED."""
    zone = getattr(request, "chairside_zone", None)
    if zone is None:
        return timezone.get_current_timezone_name()
    return zone if isinstance(zone, str) else zone.key


class AdminPagesMiddleware:
    """A middleware for admin pages only (``admin_page``); every other request passes through untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(admin_root()):
            return self.get_response(request)
        return self.admin_page(request)

    def admin_page(self, request):
        raise NotImplementedError


class AdminTimeZoneMiddleware(AdminPagesMiddleware):
    """Admin pages run, and render, in the zone the user's salons share; a member of salons in several zones sees
    each salon's times in its own zone (the page says so). Views about one salon's row narrow it further."""

    def admin_page(self, request):
        zone = common_zone(request)
        if zone is None:
            user = request.user
            if user.is_authenticated and user.is_staff and not user.is_superuser and _member_salon_ids(request):
                request.chairside_zone = MIXED
            return self.get_response(request)
        request.chairside_zone = zone
        with timezone.override(zone):
            return self.get_response(request)


@functools.cache
def admin_root() -> str:
    """The admin's URL prefix (wherever config/urls.py mounts it)."""
    return reverse("admin:index")


def render_in_zone(request, zone, view: Callable[[], object]):
    """Run ``view()`` and render its response in ``zone`` (None: leave the active zone, mark the page mixed)."""
    request.chairside_zone = zone if zone is not None else MIXED
    if zone is None:
        response = view()
        _render(response)
        return response
    with timezone.override(zone):
        response = view()
        _render(response)
    return response


def _render(response) -> None:
    if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
        response.render()


def datetime_field_names(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.DateTimeField)]


def in_row_zone(request, model, name: str):
    """A changelist column showing ``name`` in the row's salon zone with its abbreviation (pages of mixed zones)."""
    field = model._meta.get_field(name)

    def column(obj):
        value = getattr(obj, name)
        if value is None:
            return None
        zone = salon_zone(request, _salon_id(obj))
        local = value.astimezone(zone) if zone is not None else value
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    column.short_description = field.verbose_name
    column.admin_order_field = name
    column.__name__ = name
    return column


def _salon_id(obj):
    return obj.pk if isinstance(obj, Salon) else getattr(obj, "salon_id", None)


def as_salon_wall_clock(value: datetime, salon: Salon) -> datetime:
    """A datetime typed on the page's clock, re-read as the same wall-clock time in ``salon``'s zone."""
    if value is None or timezone.is_naive(value):
        return value
    wall = timezone.localtime(value).replace(tzinfo=None)
    return timezone.make_aware(wall, salon.tz)


class SalonWallClockFormMixin:
    """Typed datetimes of a tenant row are the salon's wall clock, whichever zone the page was rendered in."""

    def _clean_fields(self):
        super()._clean_fields()
        salon = self.cleaned_data.get("salon") if "salon" in self.fields else None
        if not isinstance(salon, Salon):
            salon = self.instance.salon if getattr(self.instance, "salon_id", None) else None
        if salon is None or salon.tz.key == timezone.get_current_timezone_name():
            return
        for name, field in self.fields.items():
            if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField) and name in self.cleaned_data:
                self.cleaned_data[name] = as_salon_wall_clock(self.cleaned_data[name], salon)


__all__ = [
    "MIXED",
    "AdminPagesMiddleware",
    "AdminTimeZoneMiddleware",
    "SalonWallClockFormMixin",
    "common_zone",
    "datetime_field_names",
    "in_row_zone",
    "page_zone_name",
    "render_in_zone",
    "salon_zone",
]
