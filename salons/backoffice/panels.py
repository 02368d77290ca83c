"""Panels other apps add to salons' back-office pages (salons is the ground floor: it imports no other app, so
bookings and messaging register what they show on a customer's page here, from their admin modules).

A panel is ``callable(request, customer) -> str`` (safe HTML), called inside the customer's salon scope and zone;
``order`` places it on the page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

CustomerPanel = Callable[[object, object], str]
_customer_panels: list[tuple[int, CustomerPanel]] = []


def customer_panel(order: int) -> Callable[[CustomerPanel], CustomerPanel]:
    def register(panel: CustomerPanel) -> CustomerPanel:
        if all(existing is not panel for _o, existing in _customer_panels):
            _customer_panels.append((order, panel))
            _customer_panels.sort(key=lambda item: item[0])
        return panel

    return register


def render_customer_panels(request, customer) -> list[SafeString]:
    return [mark_safe(panel(request, customer)) for _order, panel in _customer_panels]  # noqa: S308 (templates)
