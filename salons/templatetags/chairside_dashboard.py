"""``{% salon_dashboard as dashboard %}``: the admin index's dashboard context (see salons.stats.dashboard)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def salon_dashboard(context):
    from salons.stats.dashboard import dashboard_context  # reads other apps: loaded only when the index renders

    request = context.get("request")
    return dashboard_context(request) if request is not None else None
