"""Salon analytics: daily rollups, the stats API with its Redis cache, and the admin dashboard.

The only part of ``salons`` that reads the other apps (bookings, messaging, ai_conversations); nothing imports it
but URLs, the admin site, tasks and ``SalonsConfig.ready()`` (which connects the cache-invalidating signals).
"""
