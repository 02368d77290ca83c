"""Registries through which other apps add to salons' back-office pages (salons is the ground floor: it imports no
other app, so bookings, messaging and the assistant register what they show here, from their admin modules).

``customer_panels``: ``callable(request, customer) -> str`` (safe HTML) on a customer's page, called inside the
customer's salon scope. ``dashboard_sources`` (``salons.backoffice.dashboard``): the morning dashboard's cards.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe


class Registry:
    """Callables in ``order``; registering the same one twice (a module imported again) keeps one."""

    def __init__(self) -> None:
        self._items: list[tuple[int, Callable]] = []

    def register(self, order: int) -> Callable[[Callable], Callable]:
        def add(item: Callable) -> Callable:
            if all(existing is not item for _o, existing in self._items):
                self._items.append((order, item))
                self._items.sort(key=lambda pair: pair[0])
            return item

        return add

    def __iter__(self):
        return (item for _order, item in self._items)


customer_panels = Registry()
customer_panel = customer_panels.register


def render_customer_panels(request, customer) -> list[SafeString]:
    return [mark_safe(panel(request, customer)) for panel in customer_panels]  # noqa: S308 (rendered templates)


def row_to_change(model_admin, request, object_id, may: Callable[[object], bool] | None = None):
    """The user's row behind a POST action (another salon's or a missing one: 404), which they may change (403)."""
    row = model_admin.get_object(request, unquote(object_id))
    if row is None:
        raise Http404
    allowed = may(row) if may is not None else model_admin.has_change_permission(request, row)
    if not allowed:
        raise PermissionDenied
    return row
