"""Salon settings with choices (time zones, currencies, languages), the address with a map link, and the team:
members, open invitations and inviting a person by email with a role (``invitation_create`` emails the link)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from urllib.parse import quote_plus

import pycountry
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api import DomainError
from salons import services
from salons.backoffice.language import language_view
from salons.backoffice.panels import row_to_change
from salons.models import Invitation, Membership, Role
from salons.tenancy import salon_scope

COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "BRL", "MXN")


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones())]


@cache
def currency_choices() -> list[tuple[str, str]]:
    every = sorted((c.alpha_3, f"{c.alpha_3} · {c.name}") for c in pycountry.currencies)
    common = [item for code in COMMON_CURRENCIES for item in every if item[0] == code]
    return common + [item for item in every if item[0] not in COMMON_CURRENCIES]


def map_url(address: str) -> str:
    """A map search for the salon's address (OpenStreetMap), or "" without an address."""
    address = " ".join((address or "").split())
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}" if address else ""


def _with_current(choices: list, current: str | None) -> list:
    """A stored value the list lacks stays offered (else an unchanged save would silently pick the first)."""
    if not current or any(value == current for value, _label in choices):
        return choices
    return [(current, current), *choices]


def settings_widgets(salon=None) -> dict:
    return {
        "timezone": forms.Select(choices=_with_current(timezone_choices(), getattr(salon, "timezone", None))),
        "currency": forms.Select(choices=_with_current(currency_choices(), getattr(salon, "currency", None))),
        "language": forms.Select(choices=_with_current(list(settings.LANGUAGES), getattr(salon, "language", None))),
        "address": forms.Textarea(attrs={"rows": 3, "cols": 50}),
    }


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.STAFF, label=gettext_lazy("Role"))


class SalonSettingsMixin:
    change_form_template = "admin/salons/backoffice/salon_change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {**settings_widgets(obj), **kwargs.get("widgets", {})}
        return super().get_form(request, obj, **kwargs)

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        language = self.admin_site.admin_view(language_view)
        return [
            path("language/", language, name="salons_salon_language"),
            path("<path:object_id>/invite/", invite, name="salons_salon_invite"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        salon = self.get_object(request, unquote(object_id)) if object_id else None
        if salon is not None:
            with salon_scope(salon):
                members = list(Membership.objects.select_related("user").order_by("role", "user__email"))
                invitations = list(
                    Invitation.objects.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
                )
            extra_context = {
                **(extra_context or {}),
                "bo_salon": salon,
                "bo_map_url": map_url(salon.address),
                "bo_members": members,
                "bo_invitations": invitations,
                "bo_invite_form": InviteForm() if self._is_owner(request, salon) else None,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def invite_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        salon = row_to_change(self, request, object_id, may=lambda row: self._is_owner(request, row))
        form = InviteForm(request.POST)
        page = reverse("admin:salons_salon_change", args=[salon.pk])
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return HttpResponseRedirect(page)
        try:
            services.invitation_create(
                salon=salon, email=form.cleaned_data["email"], role=form.cleaned_data["role"], invited_by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Invitation emailed to %(email)s.") % {"email": form.cleaned_data["email"]})
        return HttpResponseRedirect(page + "#salon-team")
