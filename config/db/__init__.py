"""Chairside's database backend package (PostgreSQL with Prometheus metrics and idle-aware health checks)."""
