"""Tenant isolation of the REST API: every route under /api/v1/salons/<salon_id>/, every method, two salons.

Salon A is the victim, salon B the caller (an owner with a JWT, and a write-scope API key). See tests/isolation/cases.py
for what each check means. Routes come from the URL resolver and cases from every app's tests/isolation_cases.py, so a
new endpoint without a case fails ``test_every_tenant_route_has_a_case``.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from salons.models import ROLE_RANK, ApiKey, ApiKeyScope, Membership, Role
from salons.tenancy.api import API_KEY_ROLE, SalonScopedAPIView
from salons.tests.factories import ApiKeyFactory, InvitationFactory, MembershipFactory, SalonFactory, UserFactory
from tests.isolation import support
from tests.isolation.conftest import EXERCISED

ROUTES = support.tenant_routes()
CASES, DUPLICATE_CASES = support.load_cases()
PAIRS = [(name, method) for name, route in sorted(ROUTES.items()) if name in CASES for method in route.methods]
ROLES_BY_RANK = sorted(Role, key=lambda role: ROLE_RANK[role])


# --- coverage: nothing escapes ---------------------------------------------------------------------------------


def test_every_tenant_route_has_a_case():
    missing = sorted(str(name) for name in ROUTES if name not in CASES)
    assert not missing, f"tenant routes without a RouteCase in <app>/tests/isolation_cases.py: {missing}"


def test_every_api_route_is_a_named_tenant_route_or_a_known_account_route():
    unnamed = [r.pattern for r in support.api_routes() if not r.name]
    assert not unnamed, f"API routes need a name: {unnamed}"
    names = [r.name for r in support.api_routes()]
    assert len(names) == len(set(names)), f"API route names must be unique: {names}"
    strays = [r.name for r in support.api_routes() if not r.is_tenant and r.name not in support.ACCOUNT_ROUTES]
    assert not strays, f"/api/v1/ routes outside salons/<salon_id>/ that this suite does not know: {strays}"


def test_no_stale_or_duplicate_cases():
    assert not DUPLICATE_CASES, f"RouteCases given twice: {DUPLICATE_CASES}"
    stale = sorted(set(CASES) - set(ROUTES))
    assert not stale, f"RouteCases for routes that do not exist: {stale}"


def test_every_tenant_view_uses_the_scoped_base():
    loose = [r.name for r in ROUTES.values() if not (r.view_cls and issubclass(r.view_cls, SalonScopedAPIView))]
    assert not loose, f"tenant routes whose view is not a SalonScopedAPIView/SalonScopedViewSet: {loose}"


def test_the_suite_exercises_every_route_and_method():
    assert PAIRS, "no tenant routes found"
    assert {name for name, _ in PAIRS} == set(ROUTES) & set(CASES)
    print(f"\nisolation suite: {len(PAIRS)} (route, method) pairs over {len({n for n, _ in PAIRS})} tenant routes")


# --- the world: victim A, caller B -----------------------------------------------------------------------------


def _client(authorization: str | None = None) -> APIClient:
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def _user_client(user) -> APIClient:
    return _client(f"Bearer {AccessToken.for_user(user)}")


def _key_client(salon, scope) -> APIClient:
    key = ApiKeyFactory(salon=salon, scope=scope)
    # Mark it as just used so authenticating with it writes nothing (the snapshots compare every row).
    ApiKey.all_salons.filter(pk=key.pk).update(last_used_at=timezone.now())
    return _client(f"Api-Key {key.raw_key}")


def _member_client(salon, role) -> APIClient:
    return _user_client(MembershipFactory(salon=salon, role=role, user=UserFactory()).user)


class World:
    def __init__(self, name: str, method: str):
        self.name, self.method = name, method
        self.case = case = CASES[name]
        self.a = SalonFactory(name="Alpha Victim Salon")
        self.b = SalonFactory(name="Bravo Caller Salon")
        self.a_kwargs = case.make_kwargs(self.a)
        self.b_kwargs = case.make_kwargs(self.b)
        self.b_owner = _member_client(self.b, Role.OWNER)
        self.b_key = _key_client(self.b, ApiKeyScope.WRITE)

    def url(self, salon, kwargs) -> str:
        return reverse(self.case.url_name, kwargs={"salon_id": salon.pk, **kwargs})

    def body(self) -> dict:
        # A valid body for B, plus a salon field naming the victim: it must be ignored.
        return {**self.case.write_body(self.b), "salon": str(self.a.pk)}


def _required_role(case, method: str) -> str:
    default = Role.VIEWER if method in support.SAFE_METHODS else Role.STAFF
    return Role(case.roles.get(method, case.roles.get(method.upper(), default)))


def _call(client, method: str, url: str, case, body: dict):
    if method in support.SAFE_METHODS:
        return getattr(client, method)(url, case.query if method == "get" else None)
    return getattr(client, method)(url, body, format="json")


@pytest.fixture(params=PAIRS, ids="-".join)
def world(request, db) -> World:
    """Victim A and caller B for one (route, method) pair, counted as exercised."""
    EXERCISED.add(request.param)
    return World(*request.param)


# --- the checks ------------------------------------------------------------------------------------------------


def test_another_salons_url_is_404_and_changes_nothing(world):
    name, method, case = world.name, world.method, world.case
    required = _required_role(case, method)
    before = support.db_snapshot()

    response = _call(_client(), method, world.url(world.a, world.a_kwargs), case, world.body())
    assert response.status_code == 401, f"anonymous {method.upper()} {name}: {response.status_code}"

    for label, client, role in (("owner", world.b_owner, Role.OWNER), ("api key", world.b_key, Role.MANAGER)):
        response = _call(client, method, world.url(world.a, world.a_kwargs), case, world.body())
        assert response.status_code == 404, f"B's {label} {method.upper()} {name} at A: {response.status_code}"
        assert "Alpha Victim" not in response.content.decode()

        if world.a_kwargs and world.a_kwargs != world.b_kwargs:
            # B names its own salon but A's objects: exactly like a missing object.
            response = _call(client, method, world.url(world.b, world.a_kwargs), case, world.body())
            if method == "options":  # metadata never loads the object: the same answer as for B's own object
                own = _call(client, method, world.url(world.b, world.b_kwargs), case, world.body())
                assert (response.status_code, response.content) == (own.status_code, own.content)
                continue
            expected = 404 if ROLE_RANK[role] >= ROLE_RANK[required] else 403
            assert response.status_code == expected, (
                f"B's {label} {method.upper()} {name} with A's ids: {response.status_code}, expected {expected}"
            )

    assert support.db_snapshot() == before, f"{method.upper()} {name} across salons changed the database"


def test_a_role_below_the_required_one_is_403_at_its_own_salon(world):
    name, method, case = world.name, world.method, world.case
    required = _required_role(case, method)
    url = world.url(world.b, world.b_kwargs)
    callers = [
        (role, _member_client(world.b, role)) for role in ROLES_BY_RANK if ROLE_RANK[role] < ROLE_RANK[required]
    ] + [
        (f"{scope} key", _key_client(world.b, scope))
        for scope, role in API_KEY_ROLE.items()
        if ROLE_RANK[role] < ROLE_RANK[required]
    ]
    before = support.db_snapshot()
    for label, client in callers:
        response = _call(client, method, url, case, world.body())
        assert response.status_code == 403, f"{label} {method.upper()} {name}: {response.status_code}"
    assert support.db_snapshot() == before, f"a refused {method.upper()} {name} changed the database"


def test_own_salon_works_ignores_a_salon_in_the_body_and_never_shows_another_salon(world):
    name, method, case = world.name, world.method, world.case
    for other in CASES.values():  # give A rows of every kind, so lists have something to leak
        other.make_kwargs(world.a)
    for factory in support.admin_factories().values():
        factory(world.a)
    a_before = support.db_snapshot(world.a)
    a_uuids = support.uuid_pks_of_salon(world.a)
    model = getattr(ROUTES[name].view_cls, "model", None)
    a_ids = support.pks_of_salon(model, world.a) if model else set()

    key_may = method in support.SAFE_METHODS and ROLE_RANK[Role.MANAGER] >= ROLE_RANK[_required_role(case, method)]
    callers = [("owner", world.b_owner)] + ([("api key", world.b_key)] if key_may else [])
    for label, client in callers:
        response = _call(client, method, world.url(world.b, world.b_kwargs), case, world.body())
        assert response.status_code < 400, (
            f"B's {label} {method.upper()} {name} at its own salon: {response.status_code} {response.content[:300]}"
        )
        text = response.content.decode()
        leaked = [pk for pk in a_uuids if pk in text]
        assert not leaked, f"{method.upper()} {name} returned A's ids {leaked}"
        if method == "get" and model is not None:
            data = response.json()
            items = data.get("results", [data]) if isinstance(data, dict) else data
            ids = {item.get("id") for item in items if isinstance(item, dict)}
            assert not ids & a_ids, f"GET {name} returned rows of A: {ids & a_ids}"
        if method == "post" and model is not None and response.content:
            created_id = json.loads(text).get("id") if text.startswith("{") else None
            if created_id is not None:
                created_model = case.created_model or model
                assert created_model._base_manager.get(pk=created_id).salon_id == world.b.pk

    assert support.db_snapshot(world.a) == a_before, f"B's {method.upper()} {name} changed salon A"


# --- account routes (not under a salon) ------------------------------------------------------------------------


@pytest.mark.django_db
def test_account_routes_show_only_the_callers_salons():
    a, b = SalonFactory(name="Alpha Victim Salon"), SalonFactory(name="Bravo Caller Salon")
    MembershipFactory(salon=a)
    user = MembershipFactory(salon=b, role=Role.STAFF).user
    for client in (_user_client(user), _key_client(b, ApiKeyScope.READ)):
        response = client.get(reverse("salon-list"))
        assert response.status_code == 200
        assert [s["id"] for s in response.json()] == [str(b.pk)]
        assert str(a.pk) not in response.content.decode()
    response = _user_client(user).get(reverse("me"))
    assert [s["id"] for s in response.json()["salons"]] == [str(b.pk)]
    assert str(a.pk) not in response.content.decode()


@pytest.mark.django_db
def test_account_route_invitation_accept_joins_only_the_tokens_salon_and_reveals_nothing_else():
    a, b = SalonFactory(name="Alpha Victim Salon"), SalonFactory(name="Bravo Caller Salon")
    b_owner = MembershipFactory(salon=b, role=Role.OWNER).user
    a_invitation = InvitationFactory(salon=a, email="someone@alpha.test", role=Role.OWNER)
    url = reverse("invitation-accept")
    clients = (_client(), _user_client(b_owner), _key_client(b, ApiKeyScope.WRITE))
    before = support.db_snapshot()
    for client in clients:
        # A wrong token says nothing about any salon; A's token cannot be taken over by someone else's login.
        wrong = client.post(url, {"token": a_invitation.raw_token[:-2] + "xx", "password": "pw-Chairside-Join-1"})
        assert wrong.status_code == 400 and "Alpha" not in wrong.content.decode()
    refused = _user_client(b_owner).post(url, {"token": a_invitation.raw_token}, format="json")
    assert refused.status_code == 403 and "Alpha" not in refused.content.decode()
    assert support.db_snapshot() == before
    # B's own invitation, accepted by its invitee, joins B and only B.
    b_invitation = InvitationFactory(salon=b, email="new@bravo.test")
    joined = _client().post(url, {"token": b_invitation.raw_token, "password": "pw-Chairside-Join-1"}, format="json")
    assert joined.status_code == 201 and joined.json()["salon"]["id"] == str(b.pk)
    assert "Alpha" not in joined.content.decode()
    assert list(Membership.all_salons.filter(user__email="new@bravo.test").values_list("salon_id", flat=True)) == [b.pk]
