"""The back office of bookings in the admin: the calendar (day and week), booking from a free slot, and the booking
page's actions and history in words. Every write goes through ``bookings.services``."""
