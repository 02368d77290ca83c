"""How the isolation suite exercises the salons app's tenant routes and admin pages."""

from __future__ import annotations

import itertools

from salons.models import ApiKey, Customer, Invitation, Membership, Role
from salons.tests.factories import ApiKeyFactory, CustomerFactory, InvitationFactory, MembershipFactory
from tests.isolation.cases import RouteCase

_n = itertools.count(1)

OWNER_ONLY = {"options": Role.OWNER, "get": Role.OWNER, "post": Role.OWNER, "patch": Role.OWNER, "delete": Role.OWNER}


def _member(salon):
    return {"pk": MembershipFactory(salon=salon, role=Role.STAFF).pk}


def _api_key(salon):
    return {"pk": ApiKeyFactory(salon=salon).pk}


def _invitation(salon):
    return {"pk": InvitationFactory(salon=salon).pk}


def _customer(salon):
    return {"pk": CustomerFactory(salon=salon).pk}


CASES = [
    RouteCase(
        "salon-detail",
        write_body=lambda salon: {"name": f"Renamed {next(_n)}", "address": "Hauptstr. 1"},
        roles={"get": Role.VIEWER, "patch": Role.MANAGER},
    ),
    RouteCase(
        "member-list",
        write_body=lambda salon: {"email": f"new-member-{next(_n)}@example.com", "role": Role.STAFF},
        roles=OWNER_ONLY,
        created_model=Invitation,  # POST members/ invites; the membership starts when the person accepts
    ),
    RouteCase("invitation-list", roles=OWNER_ONLY),
    RouteCase("invitation-detail", make_kwargs=_invitation, roles=OWNER_ONLY),
    RouteCase("member-detail", make_kwargs=_member, write_body=lambda salon: {"role": Role.MANAGER}, roles=OWNER_ONLY),
    RouteCase(
        "api-key-list",
        write_body=lambda salon: {"name": f"integration {next(_n)}", "scope": "read"},
        roles=OWNER_ONLY,
    ),
    RouteCase("api-key-detail", make_kwargs=_api_key, roles=OWNER_ONLY),
    RouteCase("api-key-revoke", make_kwargs=_api_key, roles=OWNER_ONLY),
    RouteCase(
        "customer-list",
        write_body=lambda salon: {"phone": f"+49151{next(_n) + 40000000:08d}", "name": "Nina New", "language": "de"},
        roles={"get": Role.VIEWER, "post": Role.STAFF},
    ),
    RouteCase(
        "customer-detail",
        make_kwargs=_customer,
        write_body=lambda salon: {"name": "Renamed Customer", "notes": "prefers mornings"},
        roles={"get": Role.VIEWER, "patch": Role.STAFF, "delete": Role.STAFF},
    ),
]

# Rows for the admin isolation test: one tenant-owned row of the model in ``salon``.
ADMIN_FACTORIES = {
    Membership: lambda salon: MembershipFactory(salon=salon, role=Role.STAFF),
    ApiKey: lambda salon: ApiKeyFactory(salon=salon),
    Customer: lambda salon: CustomerFactory(salon=salon),
    Invitation: lambda salon: InvitationFactory(salon=salon),
}
