"""The permission matrix, one test per role and action class, for people (JWT) and API keys (scopes).

owner: members, channel credentials, API keys · manager: salon settings (and services, staff, templates elsewhere)
· staff: customers (and bookings, conversations elsewhere) · viewer: reads. Keys: read = viewer, write = manager.
"""

import itertools

import pytest
from django.urls import reverse

from salons.models import ROLE_RANK, ApiKeyScope, Role

pytestmark = pytest.mark.django_db
_n = itertools.count()


def _phone():
    return f"+49151{next(_n) + 60000000:08d}"


# action class -> (method, url name, body builder, minimal role)
ACTIONS = {
    "read customers": ("get", "customer-list", lambda: None, Role.VIEWER),
    "read salon settings": ("get", "salon-detail", lambda: None, Role.VIEWER),
    "write customers": ("post", "customer-list", lambda: {"phone": _phone(), "name": "Ines"}, Role.STAFF),
    "change salon settings": ("patch", "salon-detail", lambda: {"cancellation_notice_hours": 12}, Role.MANAGER),
    "change the channel": ("patch", "salon-detail", lambda: {"waba_id": f"99{next(_n)}"}, Role.OWNER),
    "set the access token": ("patch", "salon-detail", lambda: {"access_token": "EAAG-new"}, Role.OWNER),
    "list members": ("get", "member-list", lambda: None, Role.OWNER),
    "add members": ("post", "member-list", lambda: {"email": f"m{next(_n)}@x.test", "role": "staff"}, Role.OWNER),
    "list API keys": ("get", "api-key-list", lambda: None, Role.OWNER),
    "create API keys": ("post", "api-key-list", lambda: {"name": "erp", "scope": "read"}, Role.OWNER),
}


def _call(client, salon, action):
    method, url_name, body, _ = ACTIONS[action]
    url = reverse(url_name, kwargs={"salon_id": salon.pk})
    return getattr(client, method)(url, body(), format="json") if method != "get" else client.get(url)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_may_do_what_its_rank_allows(salon, member_client, role, action):
    allowed = ROLE_RANK[role] >= ROLE_RANK[ACTIONS[action][3]]
    response = _call(member_client(salon, role), salon, action)
    assert (response.status_code < 400) == allowed, (role, action, response.status_code, response.content[:200])
    if not allowed:
        assert response.status_code == 403


@pytest.mark.parametrize(("scope", "acts_as"), [(ApiKeyScope.READ, Role.VIEWER), (ApiKeyScope.WRITE, Role.MANAGER)])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_api_key_scope_acts_as_viewer_or_manager_never_owner(salon, key_client, scope, acts_as, action):
    allowed = ROLE_RANK[acts_as] >= ROLE_RANK[ACTIONS[action][3]]
    response = _call(key_client(salon, scope), salon, action)
    assert (response.status_code < 400) == allowed, (scope, action, response.status_code)
    if not allowed:
        assert response.status_code == 403


def test_superuser_acts_as_owner_everywhere(salon):
    from salons.tests.conftest import bearer
    from salons.tests.factories import UserFactory

    response = _call(bearer(UserFactory(is_superuser=True)), salon, "add members")
    assert response.status_code == 201
