"""``{% backoffice_boards as boards %}``: the morning dashboard's cards per salon (salons.backoffice.dashboard)."""

from django import template

from salons.backoffice.dashboard import boards

register = template.Library()


@register.simple_tag(takes_context=True)
def backoffice_boards(context):
    return boards(context["request"])
