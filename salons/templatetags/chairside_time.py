"""``{% admin_page_zone as zone %}``: the zone an admin page's times are in (see salons.tenancy.admin_time)."""

from __future__ import annotations

from django import template

from salons.tenancy.admin_time import MIXED, page_zone_name

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_page_zone(context) -> dict:
    request = context.get("request")
    name = page_zone_name(request) if request is not None else ""
    return {"name": name, "mixed": name == MIXED}
