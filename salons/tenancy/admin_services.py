"""Admin writes go through the services: a ModelAdmin names its service hooks, and the admin never writes around them.

A ModelAdmin (through ``TenantAdminMixin``, or ``ServiceAdminMixin`` directly) declares:

- ``service_save(self, request, obj, form, formsets, change) -> obj``: create (``change`` False) or update the row by
  calling the app's services with the form's cleaned data (and the inlines' formsets, see ``service_inlines``). It
  returns the saved row; the admin adopts it as the form's instance (its pk, for the redirect and the history).
- ``service_delete(self, request, obj) -> None``: delete (or refuse) through a service. Also used by the bulk
  "delete selected" action, one row at a time.
- ``service_inlines``: the inline classes whose rows ``service_save`` writes (their formsets are passed to it and are
  not saved by Django). An editable inline not listed there is refused by ``tests/test_admin_services.py``.

Without a hook, the matching permission must be off or every field read-only: ``tests/test_admin_services.py`` walks
``admin.site._registry`` and fails for a writable admin that does not route through a service.

A service's ``DomainError`` becomes a form error, never a 500: the failed attempt is rolled back (Django runs the
add/change view in a transaction), and the view runs again on the same POST with the error attached to the form
(to the field the service named, when the form has it), so the person sees their input and what was wrong. A refused
delete is an error message on the change page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse

from config.api import DomainError
from salons.tenancy.scope import salon_scope


class ServiceRefused(Exception):
    """A service refused an admin write; carries the DomainError out of Django's atomic block (rolling it back)."""

    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


def service_error_form(base_form, error: DomainError):
    """``base_form`` that reports ``error`` on validation (the re-run after a service refused the save)."""

    def clean(self):
        cleaned = base_form.clean(self)
        field = error.field if error.field in self.fields else None
        message = error.message if field or not error.field else f"{error.field}: {error.message}"
        self.add_error(field, message)
        return cleaned

    return type(base_form)(base_form.__name__, (base_form,), {"__module__": base_form.__module__, "clean": clean})


def adopt(target: models.Model, saved: models.Model) -> models.Model:
    """Copy a row the service saved onto the admin's instance (they may be different Python objects)."""
    if saved is not target:
        for field in target._meta.concrete_fields:
            setattr(target, field.attname, getattr(saved, field.attname))
        target._state.adding = False
        target._state.db = saved._state.db
    return target


def fresh(obj: models.Model) -> models.Model:
    """The row as stored. Form validation has already copied the submitted values onto ``form.instance``; services
    that compare old and new values (the last owner, a template's content) need the stored row."""
    return type(obj)._base_manager.get(pk=obj.pk)


def changed_values(form: forms.ModelForm, names=None) -> dict:
    """The cleaned values of the form's changed model fields (all of them for a new row), for ``*_update`` services."""
    # The salon is the row's (picked or stamped by the tenancy mixin), never a value to set.
    fields = [name for name in form.fields if name in form.cleaned_data and name not in {"salon", "id"}]
    if form.instance.pk is not None and not form.instance._state.adding:
        fields = [name for name in fields if name in form.changed_data]
    if names is not None:
        fields = [name for name in fields if name in names]
    return {name: form.cleaned_data[name] for name in fields}


def row_service_hooks(services, name: str, *, fields=None) -> tuple:
    """``service_save`` and ``service_delete`` for a model with the usual three services in module ``services``:
    ``<name>_create(salon=, **data)``, ``<name>_update(<name>=row, data=)`` and ``<name>_delete(<name>=row)``;
    ``fields`` limits what the form may change."""
    create, update, delete = (getattr(services, f"{name}_{verb}") for verb in ("create", "update", "delete"))

    def service_save(self, request, obj, form, formsets, change):
        data = changed_values(form, fields)
        if change:
            return update(**{name: fresh(obj)}, data=data)
        return create(salon=obj.salon, **data)

    def service_delete(self, request, obj):
        delete(**{name: obj})

    return service_save, service_delete


def live_forms(formset) -> list:
    """The formset's forms that stay (filled in and not marked for deletion)."""
    rows = []
    for form in formset.forms:
        if not getattr(form, "cleaned_data", None):
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        rows.append(form)
    return rows


def _record_for_history(formset) -> None:
    """What ``formset.save()`` would have noted, for the admin's change message (the service saved the rows)."""
    initial = formset.initial_forms
    deleted = [form for form in formset.deleted_forms if form in initial]
    formset.deleted_objects = [form.instance for form in deleted]
    formset.changed_objects = [
        (form.instance, form.changed_data) for form in live_forms(formset) if form in initial and form.has_changed()
    ]
    formset.new_objects = [form.instance for form in live_forms(formset) if form not in initial and form.has_changed()]


class ServiceAdminMixin:
    service_save = None
    service_delete = None
    service_inlines: tuple = ()

    # --- forms: the re-run after a refusal carries the service's error ----------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_chairside_service_error", None)
        return service_error_form(form, error) if error is not None else form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            request._chairside_service_error = refused.error
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                del request._chairside_service_error

    # --- saving ---------------------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        if self.service_save is None:
            return super().save_model(request, obj, form, change)
        # Saved in save_related, once the inlines' formsets are known: the service writes the row and its inlines.

    def save_related(self, request, form, formsets, change):
        if self.service_save is None:
            return super().save_related(request, form, formsets, change)
        handled = {inline.model for inline in self.service_inlines}
        own = [formset for formset in formsets if formset.model in handled]
        obj = form.instance
        try:
            if getattr(obj, "salon_id", None) is not None:
                with salon_scope(obj.salon):
                    saved = self.service_save(request, obj, form, own, change)
            else:
                saved = self.service_save(request, obj, form, own, change)
        except DomainError as exc:
            raise ServiceRefused(exc) from exc
        adopt(form.instance, saved)
        for formset in own:
            _record_for_history(formset)
        for formset in formsets:
            if formset not in own:
                formset.instance = form.instance
                self.save_formset(request, form, formset, change=change)

    # --- deleting -------------------------------------------------------------------------------------------
    def delete_model(self, request, obj):
        if self.service_delete is None:
            return super().delete_model(request, obj)
        try:
            self.service_delete(request, obj)
        except DomainError as exc:
            raise ServiceRefused(exc) from exc

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refused:
            self.message_user(request, refused.error.message, messages.ERROR)
            opts = self.opts
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(object_id)])
            return HttpResponseRedirect(url)

    def delete_queryset(self, request, queryset):
        if self.service_delete is None:
            return super().delete_queryset(request, queryset)
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except ServiceRefused as refused:
                self.message_user(request, f"{obj}: {refused.error.message}", messages.ERROR)
