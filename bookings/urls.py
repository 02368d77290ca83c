"""Tenant routes of bookings (mounted under /api/v1/salons/<uuid:salon_id>/ by config.api_urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from bookings import api

router = SimpleRouter()
router.register("services", api.ServiceViewSet, basename="service")
router.register("staff", api.StaffViewSet, basename="staff")
router.register("time-off", api.TimeOffViewSet, basename="time-off")
router.register("bookings", api.BookingViewSet, basename="booking")

salon_patterns: list = [
    path("availability/", api.AvailabilityViewSet.as_view({"get": "list"}), name="availability"),
    path(
        "customers/<int:customer_pk>/bookings/",
        api.CustomerBookingViewSet.as_view({"get": "list"}),
        name="customer-bookings",
    ),
    *router.urls,
]
