"""The contract between the isolation suite and the apps: how to exercise each tenant route.

Every app with routes under ``/api/v1/salons/<salon_id>/`` lists them in ``<app>/tests/isolation_cases.py`` as
``CASES = [RouteCase(...), ...]``. The suite enumerates every URL pattern from the resolver; a route with no case
fails the suite, so a new endpoint cannot escape it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RouteCase:
    # The URL name as given to path(..., name=...) (router names such as "booking-detail" or "booking-cancel").
    url_name: str
    # Creates whatever the route needs inside ``salon`` (use factories, no scope needed) and returns the URL kwargs
    # other than salon_id, e.g. {"pk": booking.pk}. For routes without extra kwargs return {}.
    make_kwargs: Callable[[Any], dict] = field(default=lambda salon: {})
    # A body that would be valid for a write (POST/PUT/PATCH) if the caller were allowed, built for ``salon``.
    # The suite sends it (with an extra "salon" field pointing at the victim) to prove nothing is written.
    write_body: Callable[[Any], dict] = field(default=lambda salon: {})
    # Minimal role needed for each method, for the role checks ("viewer", "staff", "manager", "owner").
    roles: dict[str, str] = field(default_factory=dict)
    # Query string for GET on list routes, if any is required.
    query: dict = field(default_factory=dict)
