"""Domain errors of bookings: a conflict (409, with alternative slots) and invalid requests (400, with a field)."""

from __future__ import annotations

from config.api import Conflict, DomainError


class BookingInvalid(DomainError, code="booking_invalid"):
    """The request can never succeed as asked: wrong staff for the service, outside hours, too soon, too late..."""

    def __init__(self, message: str = "", *, field: str | None = None, reason: str = "", **params):
        # ``reason`` and ``params`` let other channels word it themselves (the assistant answers in four languages).
        super().__init__(message, field=field, extra={"reason": reason} if reason else None)
        self.reason, self.params = reason, params


class BookingConflict(Conflict, code="booking_conflict"):
    """The time is taken. ``alternatives``: up to three free slots near it, {"starts_at", "ends_at", "staff_id"}."""

    def __init__(self, message: str = "That time is no longer available.", *, alternatives: list[dict] | None = None):
        self.alternatives = list(alternatives or [])
        super().__init__(message, extra={"alternatives": self.alternatives})


class CustomerBusy(BookingConflict, code="customer_busy"):
    """The customer already has an active booking overlapping this one (and the request did not mark it parallel).

    ``bookings``: the codes of the overlapping bookings; ``alternatives``: free slots that do not overlap them.
    """

    def __init__(self, *, codes: list[str], alternatives: list[dict] | None = None):
        super().__init__(
            "This customer already has a booking at that time. Send allow_parallel: true to book parallel services.",
            alternatives=alternatives,
        )
        self.codes = list(codes)
        self.extra["bookings"] = self.codes
