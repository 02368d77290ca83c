"""Tests of salon analytics: rollups, the stats API and cache, the admin dashboard."""
