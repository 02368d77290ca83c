"""Tenant isolation of the admin: B's staff cannot list, open, change, delete, autocomplete or pick A's rows.

Every ModelAdmin in ``admin.site`` is enumerated. A tenant-owned model's admin (and inline) must use the tenancy
mixins and have a row factory in some app's ``isolation_cases.ADMIN_FACTORIES``; other admins must be invisible to
salon staff unless allow-listed here with their own scoping (Salon, User), which is tested explicitly.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client, RequestFactory
from django.urls import reverse

from salons.models import Membership, Role, Salon, User
from salons.tenancy import TenantModel, salon_scope
from salons.tenancy.admin import TenantAdminMixin, TenantInlineMixin
from salons.tests.factories import MembershipFactory, SalonFactory, UserFactory
from tests.isolation import support

# Admins with their own scoping (tested below), not TenantAdminMixin.
OWN_SCOPING = {Salon, User}

TENANT_ADMINS = sorted(
    (model for model in admin.site._registry if issubclass(model, TenantModel)), key=lambda m: m._meta.label
)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_every_registered_admin_is_scoped_or_invisible_to_salon_staff():
    staff = MembershipFactory(salon=SalonFactory(), role=Role.OWNER).user
    problems = []
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, TenantModel):
            if not isinstance(model_admin, TenantAdminMixin):
                problems.append(f"{model._meta.label}: admin without TenantAdminMixin")
            if model not in support.admin_factories():
                problems.append(f"{model._meta.label}: no ADMIN_FACTORIES entry in <app>/tests/isolation_cases.py")
        elif model not in OWN_SCOPING:
            request = _request(staff)
            if model_admin.has_module_permission(request) or model_admin.has_view_permission(request):
                problems.append(f"{model._meta.label}: visible to salon staff but not tenant-scoped")
        for inline in model_admin.inlines:
            if issubclass(inline.model, TenantModel) and not issubclass(inline, TenantInlineMixin):
                problems.append(f"{model._meta.label}: inline {inline.__name__} without TenantInlineMixin")
    assert not problems, "\n".join(problems)


class World:
    def __init__(self, model=None):
        self.a = SalonFactory(name="Alpha Victim Salon")
        self.b = SalonFactory(name="Bravo Caller Salon")
        self.a_person = MembershipFactory(salon=self.a, role=Role.OWNER, user=UserFactory(email="alpha@victim.test"))
        self.b_staff = MembershipFactory(salon=self.b, role=Role.OWNER).user
        self.client = Client()
        self.client.force_login(self.b_staff)
        if model is not None:
            factory = support.admin_factories().get(model)
            if factory is None:
                pytest.fail(f"{model._meta.label}: add it to ADMIN_FACTORIES in its app's tests/isolation_cases.py")
            self.a_row, self.b_row = factory(self.a), factory(self.b)

    def assert_no_foreign_choices(self, form, where: str):
        # The admin evaluates choices inside the row's salon scope (B's); scoped managers follow it.
        with salon_scope(self.b):
            self._assert_no_foreign_choices(form, where)

    def _assert_no_foreign_choices(self, form, where: str):
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            related = queryset.model
            if related is Salon:
                assert self.a.pk not in {s.pk for s in queryset}, f"{where}: field {name} offers salon A"
            elif related is User:
                assert self.a_person.user_id not in {u.pk for u in queryset}, f"{where}: field {name} offers A's user"
            elif support.pks_of_salon(related, self.a):
                offered = {obj.pk for obj in queryset} & support.pks_of_salon(related, self.a)
                assert not offered, f"{where}: field {name} offers A's rows {offered}"


def _forms(response):
    context = response.context
    if context is None or "adminform" not in context:
        return []
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        forms += [*inline.formset.forms, inline.formset.empty_form]
    return forms


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("model", TENANT_ADMINS, ids=lambda m: m._meta.label)
def test_staff_of_b_cannot_reach_a_rows(model):
    world = World(model)
    a_pk, b_pk = world.a_row.pk, world.b_row.pk
    model_admin = admin.site._registry[model]
    a_before = support.db_snapshot(world.a)

    # list (also filtered by A's salon), without A's rows or A's name in filters
    for query in ({}, {"salon__id__exact": str(world.a.pk)}):
        response = world.client.get(_url(model, "changelist"), query)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            shown = {obj.pk for obj in response.context["cl"].result_list}
            assert a_pk not in shown
            assert "Alpha Victim" not in response.content.decode()
            if not query:
                assert b_pk in shown, "B's staff should see B's rows"

    # open, history, change, delete
    for view in ("change", "history", "delete"):
        response = world.client.get(_url(model, view, a_pk))
        assert response.status_code in (302, 404), f"{view} of A's row: {response.status_code}"
        assert "Alpha Victim" not in response.content.decode()
    world.client.post(_url(model, "change", a_pk), {})
    world.client.post(_url(model, "delete", a_pk), {"post": "yes"})
    world.client.post(
        _url(model, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [a_pk], "post": "yes"}
    )
    assert model._base_manager.filter(pk=a_pk).exists()

    # pick: FK/M2M choices of the add form and of B's own change form
    response = world.client.get(_url(model, "change", b_pk))
    assert response.status_code == 200
    for form in _forms(response):
        world.assert_no_foreign_choices(form, f"change form of {model._meta.label}")
    if model_admin.has_add_permission(_request(world.b_staff)):
        response = world.client.get(_url(model, "add"))
        assert response.status_code == 200
        assert "Alpha Victim" not in response.content.decode()
        for form in _forms(response):
            world.assert_no_foreign_choices(form, f"add form of {model._meta.label}")

    assert support.db_snapshot(world.a) == a_before


def _relations_into(model):
    for source in support.project_models():
        for field in source._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model is model and field.name != "salon":
                yield source, field


AUTOCOMPLETE = [
    (source, field.name, target)
    for target in TENANT_ADMINS
    if admin.site._registry[target].search_fields
    for source, field in _relations_into(target)
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "field_name", "target"),
    AUTOCOMPLETE,
    ids=[f"{s._meta.label}.{f}" for s, f, _ in AUTOCOMPLETE] or None,
)
def test_autocomplete_never_offers_a_rows(source, field_name, target):
    world = World(target)
    query = {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field_name}
    response = world.client.get(reverse("admin:autocomplete"), {**query, "term": ""})
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert str(world.a_row.pk) not in ids
    assert str(world.b_row.pk) in ids


@pytest.mark.django_db
def test_salon_admin_shows_staff_only_their_salons():
    world = World()
    response = world.client.get(_url(Salon, "changelist"))
    assert [s.pk for s in response.context["cl"].result_list] == [world.b.pk]
    for view in ("change", "history", "delete"):
        assert world.client.get(_url(Salon, view, world.a.pk)).status_code in (302, 403, 404)
    response = world.client.get(_url(Salon, "change", world.b.pk))
    assert response.status_code == 200
    assert "alpha@victim.test" not in response.content.decode()
    for form in _forms(response):
        world.assert_no_foreign_choices(form, "salon change form")
    world.client.post(_url(Salon, "change", world.a.pk), {"name": "hijacked"})
    world.a.refresh_from_db()
    assert world.a.name == "Alpha Victim Salon"
    assert Membership.all_salons.filter(salon=world.a).count() == 1


@pytest.mark.django_db
def test_user_admin_is_for_superusers_only():
    world = World()
    assert world.client.get(_url(User, "changelist")).status_code == 403
    assert world.client.get(_url(User, "change", world.a_person.user_id)).status_code in (302, 403)
    assert world.client.get(reverse("admin:index")).status_code == 200
    assert "alpha@victim.test" not in world.client.get(reverse("admin:index")).content.decode()
