"""The contract between the isolation suite and the apps: how to exercise each tenant route.

Every app with routes under ``/api/v1/salons/<salon_id>/`` lists them in ``<app>/tests/isolation_cases.py`` as
``CASES = [RouteCase(...), ...]``. The suite enumerates every URL pattern from the resolver; a route with no case
fails the suite, so a new endpoint cannot escape it.

What the suite does with a case (tests/isolation/test_api_isolation.py), for every method the route allows:
- an owner of salon B (JWT) and a write-scope API key of B, pointed at salon A's URL with A's object kwargs: 404;
- the same callers at B's own salon id with A's object kwargs (detail routes): 404, or 403 where the caller lacks
  the role for the method (the key acts as a manager);
- every method with a member of B whose role is just below ``roles[method]``: 403;
- B's owner at its own URL with ``write_body(B)`` plus ``"salon": A.id``: succeeds (< 400) and A's rows are unchanged;
  a created row (response ``id``) belongs to B;
- GET on B's own URL never returns A's rows (ids of the view's model, A's salon id);
- the whole database is unchanged after the cross-salon requests.
Bodies must therefore be valid for a fresh salon and a fresh object from ``make_kwargs``; values that must be unique
should come from a counter.

The admin suite (tests/isolation/test_admin_isolation.py) needs one row per tenant-owned model with a ModelAdmin:
each app's ``isolation_cases.py`` may define ``ADMIN_FACTORIES = {Model: callable(salon) -> row}``. A tenant-owned
model registered in the admin without a factory, or whose admin lacks ``TenantAdminMixin``, fails the suite.
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
    # Minimal role needed for each method, for the role checks ("viewer", "staff", "manager", "owner"); keys are
    # lower-case method names. Missing: "viewer" for get/options, "staff" for writes (the base view's defaults).
    roles: dict[str, str] = field(default_factory=dict)
    # Query string for GET on list routes, if any is required.
    query: dict = field(default_factory=dict)
    # The model whose row a POST creates (its response ``id``), when not the view's ``model`` (``POST members/``
    # creates an Invitation).
    created_model: Any = None
