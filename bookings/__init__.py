"""Bookings: services, staff, schedules, availability, bookings and reminders."""
