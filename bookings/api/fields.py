"""Fields shared by the bookings API modules."""

from __future__ import annotations

from config.api_input import PlausibleDateTimeField
from salons.tenancy import current_salon


class SalonDateTimeField(PlausibleDateTimeField):
    """An aware date-time; one given without an offset is the salon's wall-clock time (not UTC)."""

    def default_timezone(self):
        return current_salon().tz
