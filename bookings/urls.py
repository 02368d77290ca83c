"""Tenant routes of bookings (mounted under /api/v1/salons/<uuid:salon_id>/ by config.api_urls)."""

from django.urls import path

from bookings import api
from salons.tenancy.api import view_set_urls

salon_patterns: list = [
    path("availability/", api.AvailabilityViewSet.as_view({"get": "list"}), name="availability"),
    path(
        "customers/<int:customer_pk>/bookings/",
        api.CustomerBookingViewSet.as_view({"get": "list"}),
        name="customer-bookings",
    ),
    *view_set_urls(
        {
            "services": api.ServiceViewSet,
            "staff": api.StaffViewSet,
            "time-off": api.TimeOffViewSet,
            "bookings": api.BookingViewSet,
        }
    ),
]
