"""REST API of bookings, by concern: the catalog (services, staff, time off) and bookings (availability, bookings).

``bookings.urls`` routes the view sets exported here.
"""

from bookings.api.bookings import AvailabilityViewSet, BookingViewSet, CustomerBookingViewSet
from bookings.api.catalog import ServiceViewSet, StaffViewSet, TimeOffViewSet

__all__ = [
    "AvailabilityViewSet",
    "BookingViewSet",
    "CustomerBookingViewSet",
    "ServiceViewSet",
    "StaffViewSet",
    "TimeOffViewSet",
]
