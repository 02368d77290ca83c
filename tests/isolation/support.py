"""Helpers of the isolation suites: enumerate API routes and admins, load the apps' cases, snapshot the database."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from salons.models import Salon
from salons.tenancy import TenantModel
from tests.isolation.cases import RouteCase

API_PREFIX = "api/v1/"
TENANT_PREFIX = "api/v1/salons/<uuid:salon_id>/"
# /api/v1/ routes that are not under a salon. They are exercised by test_account_routes_* in test_api_isolation.py;
# a new one must be added there (and here) on purpose.
ACCOUNT_ROUTES = frozenset({"auth-token", "auth-token-refresh", "auth-logout", "me", "salon-list", "invitation-accept"})
SAFE_METHODS = ("get", "head", "options")


@dataclass(frozen=True)
class Route:
    name: str | None
    pattern: str
    view_cls: type
    methods: tuple[str, ...]

    @property
    def is_tenant(self) -> bool:
        return self.pattern.startswith(TENANT_PREFIX)


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _methods(callback) -> tuple[str, ...]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset route: {"get": "list", "post": "create"}
        methods = set(actions)
    else:
        methods = {m for m in getattr(cls, "http_method_names", ()) if hasattr(cls, m)}
    methods.add("options")
    methods.discard("head")  # HEAD is GET without a body
    return tuple(sorted(methods))


@cache
def api_routes() -> tuple[Route, ...]:
    """Every URL pattern under /api/v1/, from the resolver."""
    routes = []
    for pattern, entry in _walk(get_resolver().url_patterns):
        if not pattern.startswith(API_PREFIX):
            continue
        callback = entry.callback
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        routes.append(Route(entry.name, pattern, cls, _methods(callback)))
    return tuple(routes)


def tenant_routes() -> dict[str, Route]:
    return {route.name: route for route in api_routes() if route.is_tenant}


def _project_app_configs():
    base = Path(settings.BASE_DIR).resolve()
    return [app for app in apps.get_app_configs() if base in Path(app.path).resolve().parents]


def _isolation_modules():
    for app in apps.get_app_configs():
        name = f"{app.name}.tests.isolation_cases"
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, f"{app.name}.tests"):
                raise


@cache
def load_cases() -> tuple[dict[str, RouteCase], list[str]]:
    """All apps' RouteCases by url name, and the names that were given more than once."""
    cases: dict[str, RouteCase] = {}
    duplicates = []
    for module in _isolation_modules():
        for case in getattr(module, "CASES", []):
            if case.url_name in cases:
                duplicates.append(case.url_name)
            cases[case.url_name] = case
    return cases, duplicates


@cache
def admin_factories() -> dict:
    factories: dict = {}
    for module in _isolation_modules():
        factories.update(getattr(module, "ADMIN_FACTORIES", {}))
    return factories


def tenant_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def project_models() -> list[type]:
    labels = {app.label for app in _project_app_configs()}
    return [m for m in apps.get_models() if m._meta.app_label in labels]


def _salon_fk(model) -> str | None:
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.related_model is Salon:
            return field.name
    return None


def db_snapshot(salon: Salon | None = None) -> dict[str, list]:
    """Every row of every project table (or only the rows of ``salon``): compare two snapshots for "unchanged"."""
    snapshot = {}
    for model in project_models():
        queryset = model._base_manager.all()
        if salon is not None:
            fk = _salon_fk(model)
            if model is Salon:
                queryset = queryset.filter(pk=salon.pk)
            elif fk:
                queryset = queryset.filter(**{fk: salon})
            else:
                continue
        snapshot[model._meta.label] = list(queryset.order_by("pk").values_list())
    return snapshot


def pks_of_salon(model, salon: Salon) -> set:
    fk = _salon_fk(model)
    if model is Salon:
        return {salon.pk}
    if not fk:
        return set()
    return set(model._base_manager.filter(**{fk: salon}).values_list("pk", flat=True))


def uuid_pks_of_salon(salon: Salon) -> set[str]:
    """String forms of every UUID primary key of the salon's rows (they must never show up in B's responses)."""
    found = {str(salon.pk)}
    for model in project_models():
        if model._meta.pk.get_internal_type() == "UUIDField":
            found |= {str(pk) for pk in pks_of_salon(model, salon)}
    return found
