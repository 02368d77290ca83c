"""Admin for salons, members, API keys and customers; every tenant-owned page goes through TenantAdminMixin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from salons.admin_login import ThrottledAdminAuthenticationForm
from salons.models import ApiKey, Customer, Membership, Role, Salon, User
from salons.tenancy import salon_scope
from salons.tenancy.admin import TenantAdminMixin, TenantInlineMixin, _scope_model_queryset, member_salon_ids

# Admin logins are throttled per client IP and per username, like the API's token endpoint.
admin.site.login_form = ThrottledAdminAuthenticationForm


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


CHANNEL_FIELDS = ("phone_number_id", "waba_id", "display_phone_number", "channel_status")


class SalonForm(forms.ModelForm):
    new_access_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Paste a new WhatsApp access token to replace the stored one. The stored token is never shown.",
    )

    class Meta:
        model = Salon
        exclude = ["whatsapp_access_token"]  # noqa: DJ006 -- every field but the secret, by design

    def save(self, commit=True):
        salon = super().save(commit=False)
        token = self.cleaned_data.get("new_access_token")
        if token:
            salon.whatsapp_access_token = token
        if commit:
            salon.save()
        return salon


class MembershipInline(TenantInlineMixin, admin.TabularInline):
    model = Membership
    extra = 0
    admin_write_role = Role.OWNER  # people are added by email through the API or `manage.py add_member`


@admin.register(Salon)
class SalonAdmin(admin.ModelAdmin):
    form = SalonForm
    list_display = ["name", "slug", "timezone", "currency", "display_phone_number", "channel_status", "is_active"]
    list_filter = ["is_active", "channel_status"]
    search_fields = ["name", "slug", "phone_number_id", "display_phone_number"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["access_token_status", "whatsapp_cost_total", "created_at", "updated_at"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "timezone", "currency", "language", "address", "is_active")}),
        (
            "Booking policy",
            {
                "fields": (
                    "slot_step_minutes",
                    "min_notice_minutes",
                    "booking_horizon_days",
                    "cancellation_notice_hours",
                    "reminder_offsets_minutes",
                    "quiet_hours_start",
                    "quiet_hours_end",
                )
            },
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
        with salon_scope(obj):
            return super().changeform_view(request, object_id, form_url, extra_context)

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
        return request.user.is_superuser

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


@admin.register(ApiKey)
class ApiKeyAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "prefix", "salon", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["salon", "scope"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    admin_write_role = Role.OWNER

    def has_add_permission(self, request, *args):
        return False  # keys are created through the API or `manage.py create_api_key`, which show them once


@admin.register(Customer)
class CustomerAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "salon", "language", "opted_out_at", "created_at"]
    list_filter = ["salon", "language"]
    search_fields = ["name", "phone", "wa_id"]
    date_hierarchy = "created_at"
