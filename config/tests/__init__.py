"""Tests of the foundation: health, metrics, logging, settings, local services, demo data."""
