"""What the back office adds to ``BookingAdmin``: the calendar (day and week), booking from a free slot, and the
booking page's actions, move picker and history in words. Mixed into ``bookings.admin.BookingAdmin`` (which keeps
the tenancy mixin: every object is loaded through its scoped ``get_object``)."""

from __future__ import annotations

from django.urls import path

from bookings.backoffice.book import book_view
from bookings.backoffice.booking_page import act_view, page_context
from bookings.backoffice.calendar_view import calendar_view
from bookings.backoffice.customer_story import bookings_panel
from bookings.backoffice.dashboard import booking_cards


class BookingBackofficeMixin:
    change_form_template = "admin/bookings/backoffice/booking_change_form.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("day/", wrap(lambda r: calendar_view(self, r, "day")), name="bookings_booking_day"),
            path("week/", wrap(lambda r: calendar_view(self, r, "week")), name="bookings_booking_week"),
            path("book/", wrap(lambda r: book_view(self, r)), name="bookings_booking_book"),
            path("<path:object_id>/act/", wrap(lambda r, object_id: act_view(self, r, object_id)),
                 name="bookings_booking_act"),
            *super().get_urls(),
        ]  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id) if object_id else None
        if booking is not None:
            extra_context = {**(extra_context or {}), **page_context(request, booking)}
        return super().change_view(request, object_id, form_url, extra_context)


# Registered on import: the customer page panel and the dashboard cards.
__all__ = ["BookingBackofficeMixin", "booking_cards", "bookings_panel"]
