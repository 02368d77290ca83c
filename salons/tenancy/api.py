"""The base of every API view under ``/api/v1/salons/<salon_id>/``, and the permission matrix it enforces.

It authenticates, resolves the salon from the URL, checks the caller's membership role or API key scope for that
salon, and runs the whole request inside ``salon_scope``. A salon the caller does not belong to is a 404, exactly
like one that does not exist. Subclasses cannot replace the scoping: defining ``get_queryset``, ``initial`` or
``dispatch`` is refused at class creation; they narrow the scoped queryset with ``scope_queryset`` instead.

Permission matrix (roles are ranked: owner > manager > staff > viewer; a higher role may do all a lower one may):

=============================================================  ===============
action class                                                   minimal role
=============================================================  ===============
read anything of the salon (GET, OPTIONS)                       viewer
bookings, customers, conversations (create/change/cancel)       staff
salon settings, services, staff members, templates, policies    manager
members, WhatsApp channel credentials, API keys                 owner
=============================================================  ===============

API keys act with a role given by their scope: ``read`` = viewer, ``write`` = manager. They never act as owners,
so members, channel credentials and API keys cannot be managed with an API key.

A view declares its row with ``read_role`` (default viewer), ``write_role`` (default staff) and per-action overrides
in ``action_roles`` (``{"revoke": "owner"}``); field-level rules (the channel fields of the salon) check
``self.caller_has_role(...)``. The admin applies the same matrix through ``TenantAdminMixin.admin_write_role``.
See docs/permissions.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import DestroyModelMixin, ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.viewsets import ViewSetMixin

from salons.models import ROLE_RANK, ApiKeyScope, Membership, Role, Salon, User
from salons.rls import _db_scope
from salons.tenancy.scope import _current_salon, current_salon_or_none

_SEALED = ("get_queryset", "initial", "dispatch")

# The role an API key acts with, by scope. Keys never act as owners (members, keys, channel credentials).
API_KEY_ROLE = {ApiKeyScope.READ: Role.VIEWER, ApiKeyScope.WRITE: Role.MANAGER}


def request_person(request) -> User | None:
    """The person behind a request, or None for an API key (or anonymous): who a service records as the actor."""
    return request.user if isinstance(request.user, User) else None


class CallerThrottle(SimpleRateThrottle):
    """Per-caller rate limit in Redis: a person by user id, an API key by key id, else by IP."""

    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        ident = str(user.pk) if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SalonRolePermission(permissions.BasePermission):
    """Reads need ``view.read_role``, writes ``view.write_role`` (per-action overrides in ``view.action_roles``)."""

    def has_permission(self, request, view) -> bool:
        return view.caller_has_role(view.required_role(request))


class SalonScopedAPIView(GenericAPIView):
    """Base view for tenant routes. Set ``model`` (a TenantModel) and optionally ``read_role``/``write_role``."""

    permission_classes = [permissions.IsAuthenticated, SalonRolePermission]
    throttle_classes = [CallerThrottle]
    read_role: ClassVar[str] = Role.VIEWER
    write_role: ClassVar[str] = Role.STAFF
    action_roles: ClassVar[dict[str, str]] = {}
    model = None
    salon_url_kwarg = "salon_id"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _SEALED:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}(): narrow the queryset in scope_queryset()")

    # --- the scope -------------------------------------------------------------------------------------------
    def dispatch(self, request, *args, **kwargs):
        token, db_token = _current_salon.set(None), _db_scope.set(None)
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            _db_scope.reset(db_token)
            _current_salon.reset(token)

    def initial(self, request, *args, **kwargs):
        # Authentication first (401 beats 404), then the salon, then the role (403), inside the scope.
        self.perform_authentication(request)
        if not request.user or not request.user.is_authenticated:
            self.permission_denied(request)
        self.salon, self.caller_role = self._resolve_salon(request, kwargs.get(self.salon_url_kwarg))
        _current_salon.set(self.salon)
        _db_scope.set(str(self.salon.pk))  # row-level security follows the scope (salons/rls.py)
        super().initial(request, *args, **kwargs)

    def _resolve_salon(self, request, salon_id) -> tuple[Salon, str]:
        try:
            # The token is loaded (and decrypted) only where it is used: sending to Meta.
            salon = Salon.objects.defer("whatsapp_access_token").get(pk=uuid.UUID(str(salon_id)), is_active=True)
        except (Salon.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        api_key = getattr(request.user, "api_key", None)
        if api_key is not None:
            if api_key.salon_id != salon.pk:
                raise Http404
            return salon, API_KEY_ROLE[ApiKeyScope(api_key.scope)]
        if request.user.is_superuser:
            return salon, Role.OWNER
        membership = Membership.all_salons.filter(salon=salon, user=request.user).only("role").first()
        if membership is None:
            raise Http404
        return salon, membership.role

    def required_role(self, request) -> str:
        action = getattr(self, "action", None) or request.method.lower()
        if action in self.action_roles:
            return self.action_roles[action]
        return self.read_role if request.method in permissions.SAFE_METHODS else self.write_role

    def caller_has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.caller_role)] >= ROLE_RANK[Role(role)]

    # --- querysets -------------------------------------------------------------------------------------------
    def get_queryset(self):
        if self.model is None:
            raise NotImplementedError(f"{type(self).__name__} must set model")
        return self.scope_queryset(self.model.objects.all())

    def scope_queryset(self, queryset):
        """Narrow or annotate the (already salon-scoped) queryset. Override this, not get_queryset."""
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["salon"] = current_salon_or_none()  # None while the OpenAPI schema is generated
        return context

    def valid_input(self, serializer_class, instance=None, **kwargs) -> dict:
        """The request body validated by ``serializer_class`` (a 400 with field errors otherwise)."""
        data = serializer_class(instance, data=self.request.data, **kwargs)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @staticmethod
    def created(payload) -> Response:
        return Response(payload, status=status.HTTP_201_CREATED)


class SalonScopedViewSet(ViewSetMixin, SalonScopedAPIView):
    """The same base for routers and ``@action``s; CRUD mixins from ``rest_framework.mixins`` compose with it."""


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key chosen by id in a request body: only rows of the salon in scope exist for it.

    ``Model.objects`` is scoped when the SQL runs, so another salon's id answers "does not exist", like a missing one.
    """

    default_error_messages = {"does_not_exist": "No such object in this salon: {pk_value}."}

    def __init__(self, model, **kwargs):
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model.objects.all()
        super().__init__(**kwargs)


def write_schema(*, request, response, update_request=None, destroy: bool = True, **more):
    """The OpenAPI description of a view set's writes: create (201), optionally partial_update, destroy (204)."""
    views = {"create": extend_schema(request=request, responses={201: response})}
    if update_request is not None:
        views["partial_update"] = extend_schema(request=update_request, responses=response)
    if destroy:
        views["destroy"] = extend_schema(responses={204: None})
    return extend_schema_view(**views, **more)


@dataclass(frozen=True)
class ServiceWrites:
    """The service functions a view set writes with: ``create(salon=..., **data)``, ``update(<row>=..., data=...)``
    and ``delete(<row>=...)``, where ``row`` is the keyword they take the row by (``"service"``, ``"time_off"``)."""

    row: str
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]


class ServiceWritesViewSet(ListModelMixin, RetrieveModelMixin, DestroyModelMixin, SalonScopedViewSet):
    """List, read, create, change (PATCH) and delete rows of the salon, every write a call to ``writes``.

    The body is checked by ``input_serializer_class`` (by default ``serializer_class``; for PATCH: partially, against
    the row), or for PATCH by ``update_serializer_class`` when it has its own; the answer is ``output(row)``. The
    OpenAPI description of the writes follows from these serializers.
    """

    writes: ClassVar[ServiceWrites]
    input_serializer_class: ClassVar[type[serializers.Serializer] | None] = None
    update_serializer_class: ClassVar[type[serializers.Serializer] | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.input_serializer_class = cls.input_serializer_class or cls.serializer_class
        update = cls.update_serializer_class or cls.input_serializer_class
        write_schema(request=cls.input_serializer_class, response=cls.serializer_class, update_request=update)(cls)

    def create(self, request, salon_id):
        row = self.writes.create(salon=self.salon, **self.valid_input(self.input_serializer_class))
        return self.created(self.output(row))

    def partial_update(self, request, salon_id, pk):
        row = self.get_object()
        if self.update_serializer_class is None:
            data = self.valid_input(self.input_serializer_class, row, partial=True)
        else:
            data = self.valid_input(self.update_serializer_class)
        return Response(self.output(self.update_row(row, dict(data))))

    def update_row(self, row, data: dict):
        return self.writes.update(**{self.writes.row: row}, data=data)

    def perform_destroy(self, instance):
        self.writes.delete(**{self.writes.row: instance})

    def output(self, row) -> dict:
        return self.serializer_class(row).data


def view_set_urls(view_sets: dict[str, type[ViewSetMixin]]) -> list:
    """The URLs of ``{prefix: view set}``, each named by its prefix in the singular (``time-off`` ->
    ``time-off-list``, ``bookings`` -> ``booking-detail``)."""
    router = SimpleRouter()
    for prefix, view_set in view_sets.items():
        router.register(prefix, view_set, basename=prefix.removesuffix("s"))
    return router.urls
