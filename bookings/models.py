"""Models of the bookings app."""
