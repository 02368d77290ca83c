"""Every admin write of salon data goes through a service: the walk over ``admin.site._registry``.

For each registered ModelAdmin (as a superuser, who may do the most, on a real row from the apps' ``ADMIN_FACTORIES``):
if it may add or change a row and its form has an editable field, it must name ``service_save``; if it may delete a
row, ``service_delete``; an inline that may add, change (with an editable field) or delete rows must be one of its
parent's ``service_inlines``. Otherwise the admin would write around the rules the API enforces. Admins of data that
is not a salon's are listed in ``NOT_SALON_DATA`` with the reason.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from salons.models import Salon, User
from salons.tenancy import TenantModel, salon_scope
from salons.tests.factories import SalonFactory, UserFactory
from tests.isolation import support
from webhooks.models import WebhookEvent

NOT_SALON_DATA = {
    User: "people's accounts, superusers only (salon staff manage members through invitations and memberships)",
    Group: "Django permission groups, superusers only; salon access is by membership, not groups",
    WebhookEvent: "Meta's raw event log, superusers only, stored before any salon is known (replay is a service)",
    OutstandingToken: "JWT refresh tokens of accounts (simplejwt's admin), superusers only",
    BlacklistedToken: "revoked JWT refresh tokens (simplejwt's admin), superusers only",
}
IGNORED_FORM_FIELDS = {"salon"}


def _row(model, salon):
    if model is Salon:
        return salon
    return support.admin_factories()[model](salon)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _editable(form_class) -> list[str]:
    return [name for name in form_class.base_fields if name not in IGNORED_FORM_FIELDS]


def _inline_editable(inline, request, obj) -> list[str]:
    formset = inline.get_formset(request, obj)
    fk = getattr(formset, "fk", None)
    skip = {"id", "DELETE", getattr(fk, "name", None), *IGNORED_FORM_FIELDS}
    return [name for name in formset.form.base_fields if name not in skip]


def _problems(model, model_admin, request, obj) -> list[str]:
    label = f"{model._meta.label} ({type(model_admin).__name__})"
    problems = []
    has_save = getattr(model_admin, "service_save", None) is not None
    has_delete = getattr(model_admin, "service_delete", None) is not None
    may_add = model_admin.has_add_permission(request)
    if may_add and _editable(model_admin.get_form(request, None, change=False)) and not has_save:
        problems.append(f"{label}: adds rows without service_save")
    may_change = model_admin.has_change_permission(request, obj)
    if may_change and _editable(model_admin.get_form(request, obj, change=True)) and not has_save:
        problems.append(f"{label}: changes rows without service_save")
    if model_admin.has_delete_permission(request, obj) and not has_delete:
        problems.append(f"{label}: deletes rows without service_delete")
    handled = tuple(getattr(model_admin, "service_inlines", ()))
    for inline in model_admin.get_inline_instances(request, obj):
        writable = (
            inline.has_add_permission(request, obj)
            or (inline.can_delete and inline.has_delete_permission(request, obj))
            or (inline.has_change_permission(request, obj) and _inline_editable(inline, request, obj))
        )
        if writable and (type(inline) not in handled or not has_save):
            problems.append(f"{label}: inline {type(inline).__name__} writes rows outside service_save")
    return problems


@pytest.mark.django_db
def test_every_writable_admin_routes_through_a_service():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = _request(superuser)
    salon = SalonFactory()
    problems, walked = [], 0
    for model, model_admin in admin.site._registry.items():
        if model in NOT_SALON_DATA:
            continue
        if not (issubclass(model, TenantModel) or model is Salon):
            problems.append(f"{model._meta.label}: neither salon data nor listed in NOT_SALON_DATA")
            continue
        obj = _row(model, salon)
        with salon_scope(salon):
            problems += _problems(model, model_admin, request, obj)
        walked += 1
    print(f"\nadmin services walk: {walked} ModelAdmins of salon data")
    assert walked >= 10
    assert not problems, "\n".join(problems)
