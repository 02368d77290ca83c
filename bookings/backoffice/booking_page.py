"""The booking page's actions: confirm, complete, no-show, cancel with a reason and move (reschedule) to a free slot,
each through its ``bookings.services`` function. A move to a slot taken meanwhile returns to the page with the
service's alternatives offered as one-click moves."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings import services
from bookings.backoffice.common import query_date, staff_override
from bookings.backoffice.history import booking_history
from bookings.backoffice.slots import alternative_choices, parse_slot, slot_choices, slot_value
from bookings.errors import BookingConflict
from bookings.models import ACTIVE_STATUSES, BookingSource, BookingStatus, StaffMember
from config.api import DomainError
from salons.backoffice.dates import LONG_DAY, wall
from salons.backoffice.panels import row_to_change
from salons.tenancy import salon_scope

STATUS_ACTIONS = {
    "confirm": (services.booking_confirm, BookingStatus.CONFIRMED),
    "complete": (services.booking_complete, BookingStatus.COMPLETED),
    "no_show": (services.booking_mark_no_show, BookingStatus.NO_SHOW),
}


def act_view(model_admin, request, object_id):
    """POST one action on one booking of the user's salons (another salon's booking: 404)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    booking = row_to_change(model_admin, request, object_id)
    page = reverse("admin:bookings_booking_change", args=[booking.pk])
    action = request.POST.get("action", "")
    query = {}
    with salon_scope(booking.salon):
        try:
            if action in STATUS_ACTIONS:
                STATUS_ACTIONS[action][0](booking=booking, actor=request.user, source=BookingSource.ADMIN)
                label = _(BookingStatus(STATUS_ACTIONS[action][1]).label)
                messages.success(request, _("Booking %(code)s: %(status)s.") % {"code": booking.code, "status": label})
            elif action == "cancel":
                reason = request.POST.get("reason", "").strip()
                if not reason:
                    raise DomainError(_("Give a reason for the cancellation."), field="reason")
                services.booking_cancel(booking=booking, reason=reason, **staff_override(request))
                messages.success(request, _("Booking %(code)s cancelled.") % {"code": booking.code})
            elif action == "move":
                query = _move(request, booking)
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return HttpResponseRedirect(page + (f"?{urlencode(query, doseq=True)}" if query else ""))


def _move(request, booking) -> dict:
    parsed = parse_slot(request.POST.get("slot", ""))
    if parsed is None:
        messages.error(request, _("Choose one of the free times."))
        return {}
    starts_at, staff_id = parsed
    staff = StaffMember.objects.filter(pk=staff_id).first()
    if staff is None:
        raise Http404
    reason = request.POST.get("reason", "").strip() or _("Moved in the back office")
    try:
        moved = services.booking_reschedule(
            booking=booking, starts_at=starts_at, staff=staff, reason=reason, **staff_override(request)
        )
    except BookingConflict as exc:
        messages.warning(request, f"{exc.message} " + _("Free nearby: choose one below."))
        return {"alt": [slot_value(a["starts_at"], a["staff_id"]) for a in exc.alternatives]}
    local = moved.starts_at.astimezone(moved.salon.tz)
    messages.success(request, _("Moved to %(when)s.") % {"when": wall(local)})
    return {}


def page_context(request, booking) -> dict:
    """What the booking page shows above the record: actions, the move picker (or a conflict's alternatives) and
    the history in words."""
    salon = booking.salon
    tz = salon.tz
    with salon_scope(salon):
        staff_names = dict(StaffMember.objects.values_list("pk", "name"))
        move_day = query_date(request.GET.get("move_date"), salon) if request.GET.get("move_date") else None
        move_day = move_day or booking.starts_at.astimezone(tz).date()
        move_staff = booking.staff
        if request.GET.get("move_staff", "").isdigit():
            move_staff = StaffMember.objects.filter(pk=request.GET["move_staff"]).first() or booking.staff
        choices, alternatives = [], []
        if booking.status in ACTIVE_STATUSES:
            choices = slot_choices(
                salon=salon, service=booking.service, staff=move_staff, day=move_day,
                staff_names=staff_names, exclude_booking_id=booking.pk,
            )  # fmt: skip
            alts = [parse_slot(v) for v in request.GET.getlist("alt")]
            alternatives = alternative_choices(
                salon, [{"starts_at": a[0], "staff_id": a[1]} for a in alts if a], staff_names
            )
        history = booking_history(booking, tz, staff_names)
    local_start, local_end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    return {
        "bo_booking": booking,
        "bo_when": f"{wall(local_start, fmt=LONG_DAY)}, {local_start:%H:%M}–{local_end:%H:%M}",
        "bo_history": history,
        "bo_choices": choices,
        "bo_alternatives": alternatives,
        "bo_move_day": move_day,
        "bo_move_staff": move_staff,
        "bo_staff": sorted(staff_names.items(), key=lambda item: item[1]),
        "bo_can": {
            "confirm": booking.can_transition_to(BookingStatus.CONFIRMED),
            "complete": booking.can_transition_to(BookingStatus.COMPLETED),
            "no_show": booking.can_transition_to(BookingStatus.NO_SHOW),
            "cancel": booking.can_transition_to(BookingStatus.CANCELLED),
            "move": booking.status in ACTIVE_STATUSES,
        },
        "bo_act_url": reverse("admin:bookings_booking_act", args=[booking.pk]),
        "bo_calendar_url": reverse("admin:bookings_booking_day")
        + f"?salon={salon.pk}&date={local_start.date().isoformat()}",
        "bo_customer_url": reverse("admin:salons_customer_change", args=[booking.customer_id]),
    }
