"""Admin of bookings: services, staff (with services and working hours inline), time off, bookings and a day view.

Bookings are written only through ``bookings.services``: the add form books through ``booking_create``; actions
confirm, complete, mark no-show or cancel through their services; the change form edits notes only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse

from bookings import services
from bookings.backoffice.admin import BookingBackofficeMixin
from bookings.backoffice.book import CustomerChoice
from bookings.backoffice.common import staff_override
from bookings.errors import BookingConflict
from bookings.models import (
    Booking,
    BookingSource,
    Reminder,
    Service,
    StaffMember,
    StaffService,
    TimeOff,
    WorkingHours,
)
from bookings.selectors import APPOINTMENT_FIELDS, OUTCOME_FIELDS
from config.api import DomainError
from salons.tenancy import salon_scope
from salons.tenancy.admin import TenantAdminMixin, TenantInlineMixin
from salons.tenancy.admin_services import changed_values, fresh, live_forms, row_service_hooks


@admin.register(Service)
class ServiceAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "category", "duration_minutes", "price", "currency", "is_active", "salon"]
    list_filter = ["salon", "is_active", "category"]
    search_fields = ["name", "category"]
    readonly_fields = ["currency", "created_at", "updated_at"]

    service_save, service_delete = row_service_hooks(services, "service", fields={f.name for f in Service._meta.fields})


class StaffServiceInline(TenantInlineMixin, admin.TabularInline):
    model = StaffService
    extra = 0
    verbose_name = "service offered"
    verbose_name_plural = "services offered (own duration/price optional)"


class WorkingHoursInline(TenantInlineMixin, admin.TabularInline):
    model = WorkingHours
    extra = 0
    verbose_name_plural = "working hours (salon's local time; breaks are the gaps)"


@admin.register(StaffMember)
class StaffMemberAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "is_active", "salon"]
    list_filter = ["salon", "is_active"]
    search_fields = ["name"]
    inlines = [StaffServiceInline, WorkingHoursInline]
    service_inlines = (StaffServiceInline, WorkingHoursInline)
    admin_write_role = "manager"

    def service_save(self, request, obj, form, formsets, change):
        """Through staff_create/staff_update: only members may be linked, working hours of a day may not overlap;
        the inlines' rows replace the staff member's services and week, as in the API."""
        data = changed_values(form, {"name", "user", "is_active"})
        for formset in formsets:
            rows = [f.cleaned_data for f in live_forms(formset)]
            if formset.model is StaffService:
                data["services"] = [
                    {"service": r["service"], "duration_minutes": r.get("duration_minutes"), "price": r.get("price")}
                    for r in rows
                ]
            elif formset.model is WorkingHours:
                data["working_hours"] = [
                    {"weekday": r["weekday"], "start_time": r["start_time"], "end_time": r["end_time"]} for r in rows
                ]
        if change:
            return services.staff_update(staff=fresh(obj), data=data)
        return services.staff_create(salon=obj.salon, **data)

    def service_delete(self, request, obj):
        services.staff_delete(staff=obj)


@admin.register(TimeOff)
class TimeOffAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "staff", "reason", "salon"]
    list_filter = ["salon", "staff"]
    search_fields = ["reason"]
    date_hierarchy = "starts_at"
    admin_write_role = "manager"

    service_save, service_delete = row_service_hooks(
        services, "time_off", fields={"staff", "starts_at", "ends_at", "reason"}
    )


class ReminderInline(TenantInlineMixin, admin.TabularInline):
    model = Reminder
    extra = 0
    can_delete = False
    fields = readonly_fields = ["offset_minutes", "starts_at", "due_at", "status", "sent_at", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


class BookingAddForm(forms.ModelForm):
    """Books through ``booking_create`` while validating, so conflicts and policy errors show on the form."""

    class Meta:
        model = Booking
        fields = ["customer", "service", "staff", "starts_at", "notes"]
        field_classes = {"customer": CustomerChoice}  # "Lena Vogel · +49…": two customers of one name told apart

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].required = False
        self.fields["staff"].help_text = "Empty: any free staff member who offers the service."

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        salon = cleaned.get("salon") or (self.instance.salon if self.instance.salon_id else None)
        if salon is None:
            raise forms.ValidationError("Choose a salon.")
        try:
            booking = services.booking_create(
                salon=salon,
                customer=cleaned["customer"],
                service=cleaned["service"],
                staff=cleaned.get("staff"),
                starts_at=cleaned["starts_at"],
                source=BookingSource.ADMIN,
                created_by=getattr(self, "request_user", None),
                notes=cleaned.get("notes", ""),
            )
        except BookingConflict as exc:
            tz = salon.tz
            offers = ", ".join(f"{a['starts_at'].astimezone(tz):%a %d %b %H:%M}" for a in exc.alternatives)
            self.add_error("starts_at", f"{exc.message} Free nearby: {offers or 'nothing this week'}.")
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            self.instance = booking
        return cleaned


@admin.register(Booking)
class BookingAdmin(BookingBackofficeMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ["code", "starts_at", "customer", "service", "staff", "status", "source", "price", "salon"]
    list_filter = ["salon", "status", "source", "staff", "service"]
    search_fields = ["code", "customer__phone", "customer__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["customer", "service", "staff", "salon"]
    ordering = ["-starts_at"]
    inlines = [ReminderInline]  # the history is shown in words (bookings/backoffice/history.py)
    actions = ["confirm_selected", "complete_selected", "no_show_selected", "cancel_selected"]
    readonly_fields = [
        *APPOINTMENT_FIELDS,
        *("status", "source", "price", "currency"),
        *OUTCOME_FIELDS,
        *("created_by", "created_at", "updated_at"),
    ]
    change_list_template = "admin/bookings/booking/change_list.html"

    # --- add: through the service; change: notes only ---------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = BookingAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.request_user = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["customer", "service", "staff", "starts_at", "notes"]
        return [*self.readonly_fields[:7], "notes", *self.readonly_fields[7:]]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def service_save(self, request, obj, form, formsets, change):
        if not change:
            return obj  # booked by BookingAddForm through booking_create while validating (conflicts as form errors)
        return services.booking_update_notes(booking=fresh(obj), notes=form.cleaned_data["notes"], actor=request.user)

    records_kept = True  # see TenantAdminMixin.records_kept

    # --- actions through the services ----------------------------------------------------------------------
    def _apply(self, request, queryset, label: str, call) -> None:
        done, refused = 0, []
        for booking in queryset.select_related("salon"):
            if not self._owns(request, booking, self.admin_write_role):
                continue
            try:
                with salon_scope(booking.salon):
                    call(booking)
                done += 1
            except DomainError as exc:
                refused.append(f"{booking.code}: {exc.message}")
        if done:
            self.message_user(request, f"{label}: {done} booking(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Confirm selected bookings", permissions=["change"])
    def confirm_selected(self, request, queryset):
        self._apply(request, queryset, "Confirmed", lambda b: services.booking_confirm(booking=b, actor=request.user))

    @admin.action(description="Mark selected bookings completed", permissions=["change"])
    def complete_selected(self, request, queryset):
        self._apply(request, queryset, "Completed", lambda b: services.booking_complete(booking=b, actor=request.user))

    @admin.action(description="Mark selected bookings as no-show", permissions=["change"])
    def no_show_selected(self, request, queryset):
        self._apply(
            request, queryset, "Marked no-show", lambda b: services.booking_mark_no_show(booking=b, actor=request.user)
        )

    @admin.action(description="Cancel selected bookings (staff override of the notice policy)", permissions=["change"])
    def cancel_selected(self, request, queryset):
        reason = f"Cancelled in the admin by {request.user}"
        self._apply(
            request,
            queryset,
            "Cancelled",
            lambda b: services.booking_cancel(booking=b, reason=reason, **staff_override(request)),
        )

    # --- the calendar and the booking page's actions: bookings/backoffice -------------------------------------
    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "day_view_url": reverse("admin:bookings_booking_day")}
        return super().changelist_view(request, extra_context)
