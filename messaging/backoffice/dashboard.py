"""Messaging's card on the morning dashboard: what WhatsApp cost this month (``messaging.selectors.cost_summary``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.selectors import cost_summary
from salons.backoffice.dashboard import Card, dashboard_cards


@dashboard_cards(order=30)
def whatsapp_cards(request, salon, now) -> list[Card]:
    today = now.astimezone(salon.tz).date()
    summary = cost_summary(salon=salon, start=today.replace(day=1), end=today)
    messages = sum(day["messages"] for day in summary["days"])
    return [
        Card(
            "whatsapp",
            _("WhatsApp this month"),
            f"{summary['total']} {summary['currency']}",
            _("%(n)d priced messages") % {"n": messages},
            url=f"{reverse('admin:messaging_message_changelist')}?cost__isnull=False",
        ),
    ]
