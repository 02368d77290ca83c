"""``{% salon_dashboard as dashboard %}``: the admin index's dashboard context (see analytics.dashboard)."""

from __future__ import annotations

from django import template

from analytics.dashboard import dashboard_context

register = template.Library()


@register.simple_tag(takes_context=True)
def salon_dashboard(context):
    request = context.get("request")
    return dashboard_context(request) if request is not None else None
