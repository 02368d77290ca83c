"""Booking from the calendar: a form prefilled with the clicked staff member and day, whose slot picker lists the
availability engine's free starts; booked through ``booking_create`` (a slot taken meanwhile shows alternatives)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings import services
from bookings.backoffice.common import chosen_salon, query_date, render_page
from bookings.backoffice.slots import alternative_choices, parse_slot, slot_choices
from bookings.errors import BookingConflict
from bookings.models import BookingSource, Service, StaffMember, StaffService
from config.api import DomainError
from salons.backoffice.dates import wall
from salons.models import Customer, Role
from salons.tenancy import salon_scope


class CustomerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} · {obj.phone}" if obj.name else obj.phone


class BookForm(forms.Form):
    customer = CustomerChoice(queryset=Customer.objects.none(), label=gettext_lazy("Customer"))
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=gettext_lazy("Service"))
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), required=False, empty_label=gettext_lazy("Anyone free"),
        label=gettext_lazy("Staff member"),
    )  # fmt: skip
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Day"))
    slot = forms.ChoiceField(widget=forms.RadioSelect, label=gettext_lazy("Free times"), required=True)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=gettext_lazy("Notes"))

    def __init__(self, *args, salon, **kwargs):
        super().__init__(*args, **kwargs)
        self.salon = salon
        self.fields["customer"].queryset = Customer.objects.order_by("name", "phone")
        self.fields["service"].queryset = Service.objects.filter(is_active=True).order_by("name")
        self.fields["staff"].queryset = StaffMember.objects.filter(is_active=True).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if "slot" in cleaned and parse_slot(cleaned["slot"]) is None:
            self.add_error("slot", _("Choose one of the free times."))
        return cleaned


def _initial(request, salon) -> dict:
    """The form's starting values from the query string (the calendar's click: staff, date and time)."""
    query = request.GET
    initial = {"date": query_date(query.get("date"), salon)}
    staff = StaffMember.objects.filter(pk=query["staff"]).first() if query.get("staff", "").isdigit() else None
    service = Service.objects.filter(pk=query["service"]).first() if query.get("service", "").isdigit() else None
    if staff is not None:
        initial["staff"] = staff
        if service is None:
            offered = StaffService.objects.filter(staff=staff, service__is_active=True).select_related("service")
            service = next((row.service for row in offered.order_by("service__name")), None)
    if service is not None:
        initial["service"] = service
    if query.get("customer", "").isdigit():
        initial["customer"] = Customer.objects.filter(pk=query["customer"]).first()
    return initial


def book_view(model_admin, request):
    """GET: the form (the picker follows service, staff and day); POST: book through the service."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    salon, _salons = chosen_salon(request, Role.STAFF, source=source)
    with salon_scope(salon):
        return _book(model_admin, request, salon)


def _book(model_admin, request, salon):
    staff_names = dict(StaffMember.objects.values_list("pk", "name"))
    initial = _initial(request, salon)
    form = BookForm(request.POST or None, salon=salon, initial=initial)
    alternatives = []
    if request.method == "POST":
        values = {k: form[k].value() for k in ("service", "staff", "date")}
        service = Service.objects.filter(pk=values["service"]).first() if str(values["service"]).isdigit() else None
        staff = StaffMember.objects.filter(pk=values["staff"]).first() if str(values["staff"] or "").isdigit() else None
        day = query_date(values["date"], salon)
    else:
        service, staff, day = initial.get("service"), initial.get("staff"), initial["date"]
    choices = []
    if service is not None:
        choices = slot_choices(salon=salon, service=service, staff=staff, day=day, staff_names=staff_names)
    if request.method == "POST":
        posted = request.POST.get("slot", "")
        if posted and posted not in {v for v, _label in choices}:
            choices.append((posted, _("the time you chose")))
    form.fields["slot"].choices = choices
    at = request.GET.get("at")
    if at and request.method == "GET":
        wanted = next((value for value, label in choices if label.startswith(at)), None)
        if wanted:
            form.initial["slot"] = wanted
    if request.method == "POST" and form.is_valid():
        starts_at, staff_id = parse_slot(form.cleaned_data["slot"])
        try:
            booking = services.booking_create(
                salon=salon,
                customer=form.cleaned_data["customer"],
                service=form.cleaned_data["service"],
                staff=StaffMember.objects.filter(pk=staff_id).first(),
                starts_at=starts_at,
                source=BookingSource.ADMIN,
                created_by=request.user,
                notes=form.cleaned_data["notes"],
            )
        except BookingConflict as exc:
            alternatives = alternative_choices(salon, exc.alternatives, staff_names)
            form.fields["slot"].choices = alternatives
            form.add_error("slot", f"{exc.message} {_('Free nearby:')}")
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            local = booking.starts_at.astimezone(salon.tz)
            messages.success(request, _("Booked %(code)s for %(when)s.") % {"code": booking.code, "when": wall(local)})
            day_url = reverse("admin:bookings_booking_day")
            return HttpResponseRedirect(f"{day_url}?salon={salon.pk}&date={local.date().isoformat()}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("New booking") + f" · {salon.name}",
        "salon": salon,
        "form": form,
        "alternatives": alternatives,
        "day": day,
        "today": datetime.now(salon.tz).date(),
    }
    return render_page(request, salon, "admin/bookings/backoffice/book.html", context)
