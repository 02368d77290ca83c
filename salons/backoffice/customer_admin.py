"""The customer page: the customer's whole story above the record (bookings, visits, spend and "Book again" from
bookings; the last conversation from messaging; consent and opt-out from here), in the salon's zone."""

from __future__ import annotations

from django.contrib.admin.utils import unquote

from salons.backoffice.dates import DAY, wall
from salons.backoffice.panels import render_customer_panels
from salons.tenancy import salon_scope


def consent_state(customer) -> dict:
    """Marketing consent and WhatsApp opt-out in words, with the local dates."""
    tz = customer.salon.tz

    def day(value):
        return wall(value, tz, DAY) if value else ""

    if customer.marketing_consent_at and not customer.marketing_consent_withdrawn_at:
        consent = ("yes", day(customer.marketing_consent_at))
    elif customer.marketing_consent_withdrawn_at:
        consent = ("withdrawn", day(customer.marketing_consent_withdrawn_at))
    else:
        consent = ("never", "")
    return {"consent": consent[0], "consent_since": consent[1], "opted_out": day(customer.opted_out_at)}


class CustomerBackofficeMixin:
    change_form_template = "admin/salons/backoffice/customer_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, unquote(object_id)) if object_id else None
        if customer is not None:
            with salon_scope(customer.salon):
                extra_context = {
                    **(extra_context or {}),
                    "bo_customer": customer,
                    "bo_consent": consent_state(customer),
                    "bo_panels": render_customer_panels(request, customer),
                }
        return super().change_view(request, object_id, form_url, extra_context)
