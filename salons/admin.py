"""Admin for salons, members, API keys and customers; every tenant-owned page goes through TenantAdminMixin."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from salons import services
from salons.admin_login import ThrottledAdminAuthenticationForm
from salons.backoffice.branding import brand
from salons.backoffice.customer_admin import CustomerBackofficeMixin
from salons.backoffice.settings_admin import SalonSettingsMixin
from salons.models import ApiKey, Customer, Invitation, Membership, Role, Salon, User
from salons.tenancy import salon_scope
from salons.tenancy.admin import TenantAdminMixin, TenantInlineMixin, _scope_model_queryset, member_salon_ids
from salons.tenancy.admin_services import ServiceAdminMixin, changed_values, fresh, live_forms, row_service_hooks
from salons.tenancy.admin_time import render_in_zone

# Admin logins are throttled per client IP and per username, like the API's token endpoint.
admin.site.login_form = ThrottledAdminAuthenticationForm
brand(admin.site)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Staff only ever see people of their own salons (for autocomplete of members).
        return qs.filter(memberships__salon_id__in=member_salon_ids(request)).distinct()


CHANNEL_FIELDS = ("phone_number_id", "waba_id", "display_phone_number")
# What salon_create takes; everything else of a new salon is set by salon_update.
CREATE_FIELDS = {"name": "name", "timezone": "timezone_name", "currency": "currency", "language": "language"}


class SalonForm(forms.ModelForm):
    new_access_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Paste a new WhatsApp access token to replace the stored one. The stored token is never shown.",
    )

    class Meta:
        model = Salon
        exclude = ["whatsapp_access_token"]  # noqa: DJ006 -- every field but the secret, by design


class MembershipInline(TenantInlineMixin, admin.TabularInline):
    """Roles change and members leave through the member services (a salon keeps an owner); people join by
    invitation (the Invitations page, ``POST members/`` or ``manage.py add_member``), never by picking an account."""

    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["user", "created_at"]
    admin_write_role = Role.OWNER

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Salon)
class SalonAdmin(SalonSettingsMixin, ServiceAdminMixin, admin.ModelAdmin):
    """Salon settings through ``salon_update`` (a new access token reactivates a flagged channel), members through
    the member services. Salons are deactivated (``is_active``), not deleted."""

    form = SalonForm
    list_display = ["name", "slug", "timezone", "currency", "display_phone_number", "channel_status", "is_active"]
    list_filter = ["is_active", "channel_status"]
    search_fields = ["name", "slug", "phone_number_id", "display_phone_number"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["channel_status", "access_token_status", "whatsapp_cost_total", "created_at", "updated_at"]
    inlines = [MembershipInline]
    service_inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "currency", "language", "address", "is_active")}),
        (
            "Booking policy",
            {"fields": services.BOOKING_RULE_FIELDS},
        ),
        (
            "WhatsApp channel",
            {
                "fields": (
                    "phone_number_id",
                    "waba_id",
                    "display_phone_number",
                    "channel_status",
                    "access_token_status",
                    "new_access_token",
                )
            },
        ),
        ("Totals", {"fields": ("whatsapp_cost_total", "created_at", "updated_at")}),
    )

    @admin.display(description="Access token")
    def access_token_status(self, obj):
        return "stored (hidden)" if obj and obj.whatsapp_access_token else "not set"

    def get_queryset(self, request):
        return _scope_model_queryset(request, Salon, super().get_queryset(request))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Inline member rows are validated inside the salon's scope (see TenantAdminMixin.changeform_view).
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        view = super().changeform_view
        with salon_scope(obj):
            return render_in_zone(request, obj.tz, lambda: view(request, object_id, form_url, extra_context))

    def _role_ok(self, request, obj, role):
        if request.user.is_superuser:
            return True
        ids = member_salon_ids(request, role)
        return bool(ids) if obj is None else obj.pk in ids

    def has_module_permission(self, request):
        return request.user.is_staff and (request.user.is_superuser or bool(member_salon_ids(request)))

    def has_view_permission(self, request, obj=None):
        return self._role_ok(request, obj, Role.VIEWER)

    def has_change_permission(self, request, obj=None):
        return self._role_ok(request, obj, Role.MANAGER)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # a salon is deactivated (is_active), never deleted with its bookings and history

    def _is_owner(self, request, obj) -> bool:
        return request.user.is_superuser or (obj is not None and obj.pk in member_salon_ids(request, Role.OWNER))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._is_owner(request, obj):
            return fieldsets
        # Only owners replace channel credentials.
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "new_access_token")})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self._is_owner(request, obj):
            readonly += [f for f in CHANNEL_FIELDS if f not in readonly]
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not self._is_owner(request, obj):
            # A declared form field survives `fields=`; drop it so a manager cannot post a token.
            form.base_fields.pop("new_access_token", None)
        return form

    def get_inlines(self, request, obj):
        if request.user.is_superuser or (obj is not None and obj.pk in member_salon_ids(request, Role.OWNER)):
            return self.inlines
        return []

    def service_save(self, request, obj, form, formsets, change):
        data = changed_values(form, {f.name for f in Salon._meta.fields})
        if form.cleaned_data.get("new_access_token"):
            data["access_token"] = form.cleaned_data["new_access_token"]
        if change:
            salon = services.salon_update(salon=fresh(obj), data=data)
        else:
            salon = services.salon_create(**{CREATE_FIELDS[k]: data.pop(k) for k in list(data) if k in CREATE_FIELDS})
            salon = services.salon_update(salon=salon, data=data)
        for formset in formsets:
            self._save_members(formset)
        return salon

    @staticmethod
    def _save_members(formset) -> None:
        staying = live_forms(formset)
        # Promotions first, so that making someone else owner and stepping down in one save keeps an owner.
        changes = sorted(
            (form for form in staying if form.instance.pk and "role" in form.changed_data),
            key=lambda form: form.cleaned_data["role"] != Role.OWNER,
        )
        for form in changes:
            services.member_change_role(membership=fresh(form.instance), role=form.cleaned_data["role"])
        for form in formset.deleted_forms:
            if form.instance.pk:
                services.member_remove(membership=fresh(form.instance))


@admin.register(ApiKey)
class ApiKeyAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Read-only, with a revoke action (``api_key_revoke``): keys are made where the secret can be shown once."""

    list_display = ["name", "prefix", "salon", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["salon", "scope"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["name", "scope", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = readonly_fields
    admin_write_role = Role.OWNER
    actions = ["revoke_selected"]

    def has_add_permission(self, request, *args):
        return False  # keys are created through the API or `manage.py create_api_key`, which show them once

    records_kept = True  # see TenantAdminMixin.records_kept

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = 0
        for api_key in queryset:
            if self._owns(request, api_key, self.admin_write_role):
                with salon_scope(api_key.salon):
                    services.api_key_revoke(api_key=api_key)
                count += 1
        self.message_user(request, f"Revoked {count} API key(s).", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Owners invite people here (``invitation_create`` emails the single-use link) and revoke open invitations."""

    list_display = ["email", "role", "status", "salon", "invited_by", "created_at", "expires_at"]
    list_filter = ["salon", "role"]
    search_fields = ["email"]
    fields = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = ["invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    admin_write_role = Role.OWNER
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None and super().has_delete_permission(request, obj)  # revoked, never deleted

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def service_save(self, request, obj, form, formsets, change):
        invitation, _token = services.invitation_create(
            salon=obj.salon, email=form.cleaned_data["email"], role=form.cleaned_data["role"], invited_by=request.user
        )
        return invitation

    @admin.action(description="Revoke selected invitations", permissions=["change"])
    def revoke_selected(self, request, queryset):
        for invitation in queryset:
            if self._owns(request, invitation, self.admin_write_role):
                with salon_scope(invitation.salon):
                    services.invitation_revoke(invitation=invitation)
        self.message_user(request, "The selected invitations' links no longer work.", messages.SUCCESS)


@admin.register(Customer)
class CustomerAdmin(CustomerBackofficeMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "username", "salon", "language", "opted_out_at", "created_at"]
    list_filter = ["salon", "language"]
    search_fields = ["name", "phone", "wa_id", "bsuid", "username"]
    readonly_fields = ["bsuid", "username"]  # WhatsApp's: they come with the customer's messages
    date_hierarchy = "created_at"

    service_save, service_delete = row_service_hooks(
        services, "customer", fields={f.name for f in Customer._meta.fields}
    )
