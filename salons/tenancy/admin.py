"""The admin mixin every tenant-owned ModelAdmin uses.

A staff user sees only the salons they are a member of: change lists, change/delete views, actions, foreign-key and
many-to-many choices, autocomplete results, list filters and inlines. New rows get the salon stamped. Superusers see
everything. Write access follows the same role matrix as the API (``admin_write_role``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models

from salons.models import ROLE_RANK, Membership, Role, Salon
from salons.rls import all_salons, db_salons
from salons.tenancy.admin_services import ServiceAdminMixin
from salons.tenancy.admin_time import (
    SalonWallClockFormMixin,
    admin_root,
    common_zone,
    datetime_field_names,
    in_row_zone,
    render_in_zone,
)
from salons.tenancy.scope import TenantModel, salon_scope


class TenantRelatedFilter(admin.RelatedFieldListFilter):
    """A filter by a tenant-owned related row, offering only rows that occur in the (scoped) change list.

    Reads the related model through ``all_salons`` restricted to the visible rows, so it needs no salon scope.
    """

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).values_list(f"{self.field_path}__pk", flat=True)
        related = field.related_model.all_salons.filter(pk__in=used)
        ordering = self.field_admin_ordering(field, request, model_admin) or related.model._meta.ordering
        return [(obj.pk, str(obj)) for obj in related.order_by(*ordering)]


def member_salon_ids(request, min_role: str = Role.VIEWER) -> list:
    """Salons the request's user may see in the admin (cached on the request)."""
    cache = getattr(request, "_chairside_roles", None)
    if cache is None:
        cache = dict(
            Membership.all_salons.filter(user_id=request.user.pk, salon__is_active=True).values_list("salon_id", "role")
        )
        request._chairside_roles = cache
    return [sid for sid, role in cache.items() if ROLE_RANK[Role(role)] >= ROLE_RANK[Role(min_role)]]


def _scope_model_queryset(request, model, queryset=None, min_role: str = Role.VIEWER):
    """Limit a queryset of any model to the user's salons: tenant-owned by salon, Salon by id."""
    if queryset is None:
        manager = getattr(model, "all_salons", None) or model._default_manager
        queryset = manager.all()
    if request.user.is_superuser:
        return queryset
    salon_ids = member_salon_ids(request, min_role)
    if model is Salon:
        return queryset.filter(pk__in=salon_ids)
    if model is get_user_model():
        # People are offered only if they belong to one of the user's salons (never the whole user table).
        return queryset.filter(pk__in=Membership.all_salons.filter(salon_id__in=salon_ids).values("user_id"))
    if any(f.name == "salon" for f in model._meta.get_fields()):
        return queryset.filter(salon_id__in=salon_ids)
    return queryset


class TenantFormMixin:
    """Validates a tenant row inside its salon's scope (unique checks run through the scoped manager, salon
    included) and refuses related rows of another salon (a multi-salon user picks from several salons' rows)."""

    def _post_clean(self):
        chosen = self.cleaned_data.get("salon") if "salon" in self.fields else None
        if chosen is not None and self.instance.salon_id is None:
            self.instance.salon = chosen
        if self.instance.salon_id is None:
            return super()._post_clean()
        with salon_scope(self.instance.salon):
            super()._post_clean()
        for name, value in list(self.cleaned_data.items()):
            rows = value if isinstance(value, models.QuerySet | list | tuple) else [value]
            for row in rows:
                foreign = (isinstance(row, TenantModel) and row.salon_id != self.instance.salon_id) or (
                    isinstance(row, Salon) and name != "salon" and row.pk != self.instance.salon_id
                )
                if foreign:
                    self.add_error(name, "Choose a row of the same salon.")
                    break

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.salon_id is not None:
            exclude.discard("salon")  # unique constraints start with salon: check them, not skip them
        return exclude


def tenant_form(base_form, *, default_salon_id=None, salon_choices=None):
    """``base_form`` validated as a tenant row; ``salon_choices`` adds a salon picker (superusers, multi-salon)."""
    attrs = {"__module__": base_form.__module__}
    if salon_choices is not None:
        attrs["salon"] = forms.ModelChoiceField(queryset=salon_choices, label="Salon")

    def __init__(self, *args, **kwargs):
        base_form.__init__(self, *args, **kwargs)
        if self.instance.salon_id is None and default_salon_id is not None:
            self.instance.salon_id = default_salon_id

    attrs["__init__"] = __init__
    return type(base_form)(f"Tenant{base_form.__name__}", (TenantFormMixin, SalonWallClockFormMixin, base_form), attrs)


class TenantAdminMixin(ServiceAdminMixin):
    """Mix into ``admin.ModelAdmin``/inlines of tenant-owned models. The salon is chosen, never typed. Writes go
    through the services the admin names (``service_save``/``service_delete``: ``salons.tenancy.admin_services``)."""

    admin_write_role: str = Role.STAFF
    salon_field_for_new = "salon"

    # --- rows ------------------------------------------------------------------------------------------------
    def get_queryset(self, request):
        qs = self.model.all_salons.all()
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return _scope_model_queryset(request, self.model, qs)

    # --- permissions: a member with too low a role may only look -------------------------------------------
    def _may(self, request, role: str) -> bool:
        return request.user.is_superuser or bool(member_salon_ids(request, role))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._may(request, Role.VIEWER)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or self._owns(request, obj, Role.VIEWER))

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request) and self._may(request, self.admin_write_role)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.admin_write_role) and (
            obj is None or self._owns(request, obj, self.admin_write_role)
        )

    # Records that are cancelled, revoked or kept instead of deleted (bookings, API keys, conversations): no row is
    # ever deleted here. Without a row (a missing or another salon's id) the answer stays the mixin's, so Django says
    # "not found" rather than a 403 that would tell the two apart.
    records_kept: bool = False

    def has_delete_permission(self, request, obj=None):
        if self.records_kept and obj is not None:
            return False
        return self.has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.records_kept:
            actions.pop("delete_selected", None)
        return actions

    def _owns(self, request, obj, role: str) -> bool:
        if request.user.is_superuser:
            return True
        salon_id = obj.pk if isinstance(obj, Salon) else getattr(obj, "salon_id", None)
        return salon_id in member_salon_ids(request, role)

    # --- choices, filters, autocomplete ---------------------------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "salon":
            kwargs["queryset"] = _scope_model_queryset(request, Salon, Salon.objects.all(), self.admin_write_role)
        else:
            kwargs["queryset"] = _scope_model_queryset(request, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = _scope_model_queryset(request, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # Related filters only offer values that occur in the visible (scoped) rows.
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and "__" not in item:
                field = self.model._meta.get_field(item)
                if (field.is_relation and field.many_to_one) or getattr(field, "many_to_many", False):
                    tenant_owned = issubclass(field.related_model, TenantModel)
                    item = (item, TenantRelatedFilter if tenant_owned else RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete asks the *target* admin; its get_queryset is already scoped, re-scope defensively.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return _scope_model_queryset(request, self.model, queryset), may_have_duplicates

    # --- forms and new rows: the salon is stamped (one salon) or picked (several), never typed -----------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name != "salon"]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return tenant_form(form)
        allowed = member_salon_ids(request, self.admin_write_role)
        if len(allowed) == 1 and not request.user.is_superuser:
            return tenant_form(form, default_salon_id=allowed[0])
        return tenant_form(
            form, salon_choices=_scope_model_queryset(request, Salon, Salon.objects.all(), self.admin_write_role)
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The whole add/change view runs in the row's salon scope, so anything Django loads through a model's
        # default manager (inline pk fields, raw-id widgets, unique checks) is that salon's and nobody else's, and in
        # its time zone, so times are typed and shown on the salon's wall clock rather than the server's UTC.
        if object_id:
            obj = self.get_object(request, unquote(object_id))
            salon = obj.salon if obj is not None else None
        else:
            allowed = member_salon_ids(request, self.admin_write_role)
            single = len(allowed) == 1 and not request.user.is_superuser
            salon = Salon.objects.filter(pk=allowed[0]).first() if single else None
        # Rendered inside the zone too: a TemplateResponse rendered later would show the form in UTC.
        view = super().changeform_view
        if salon is None:
            return render_in_zone(
                request, common_zone(request), lambda: view(request, object_id, form_url, extra_context)
            )
        with salon_scope(salon):
            return render_in_zone(request, salon.tz, lambda: view(request, object_id, form_url, extra_context))

    # --- times: lists in the zone the user's salons share (else each row's own), one row's pages in its zone ------
    def changelist_view(self, request, extra_context=None):
        view = super().changelist_view
        return render_in_zone(request, common_zone(request), lambda: view(request, extra_context))

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if common_zone(request) is not None:
            return columns
        datetimes = set(datetime_field_names(self.model))
        return [in_row_zone(request, self.model, c) if c in datetimes else c for c in columns]

    def _row_zone(self, request, object_id):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        salon = getattr(obj, "salon", None) if obj is not None else None
        return salon.tz if salon is not None else common_zone(request)

    def delete_view(self, request, object_id, extra_context=None):
        view = super().delete_view
        return render_in_zone(
            request, self._row_zone(request, object_id), lambda: view(request, object_id, extra_context)
        )

    def history_view(self, request, object_id, extra_context=None):
        view = super().history_view
        return render_in_zone(
            request, self._row_zone(request, object_id), lambda: view(request, object_id, extra_context)
        )

    def save_model(self, request, obj, form, change):
        if not self._owns(request, obj, self.admin_write_role):
            raise PermissionDenied
        with salon_scope(obj.salon):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        if not self._owns(request, obj, self.admin_write_role):
            raise PermissionDenied
        with salon_scope(obj.salon):
            super().delete_model(request, obj)


class ReadOnlyTenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Rows that code writes (the assistant's turns, rollups): visible to the salon's members, changed by nobody."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        # Another salon's row is "not found" (as in every admin), not "forbidden".
        if self.get_object(request, object_id) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().delete_view(request, object_id, extra_context)


class TenantInlineMixin(TenantAdminMixin):
    """Inlines: rows of the parent's salon only; new inline rows inherit the parent's salon."""

    def get_formset(self, request, obj=None, **kwargs):
        parent_salon_id = getattr(obj, "salon_id", None) or (obj.pk if isinstance(obj, Salon) else None)
        kwargs["form"] = tenant_form(kwargs.get("form", self.form), default_salon_id=parent_salon_id)
        formset = super().get_formset(request, obj, **kwargs)

        class SalonStampingFormSet(formset):
            def save_new(self, form, commit=True):
                instance = form.save(commit=False)
                if getattr(instance, "salon_id", None) is None and parent_salon_id is not None:
                    instance.salon_id = parent_salon_id
                if commit:
                    instance.save()
                    form.save_m2m()
                return instance

        return SalonStampingFormSet


__all__ = ["TenantAdminMixin", "TenantInlineMixin", "admin", "member_salon_ids", "tenant_form"]


class AdminDatabaseScopeMiddleware:
    """The admin's database scope: superusers cross salons (``all_salons``, the escape hatch), staff users see their
    own salons' rows only, even through a related object the admin loads without a filter; each change view then
    narrows to its row's salon (``salon_scope``)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(admin_root()):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return self.get_response(request)
        if user.is_superuser:
            with all_salons():
                return self.get_response(request)
        with db_salons(member_salon_ids(request)):  # Membership.all_salons crosses salons itself
            return self.get_response(request)
