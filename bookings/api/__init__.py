"""REST API of bookings, by concern: the catalog (services, staff, time off) and bookings (availability, bookings).

``bookings.urls`` routes the view sets exported here. Thin: input serializers validate shapes, services do the work,
output serializers read prefetched rows so that every list costs a constant number of queries.
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
