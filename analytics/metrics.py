"""Prometheus metrics of the stats cache (hit rate alert: deploy/monitoring/rules/chairside.rules.yml)."""

from __future__ import annotations

from prometheus_client import Counter

STATS_CACHE = Counter(
    "chairside_stats_cache_requests_total", "Stats answers asked of the Redis cache, by result (hit, miss).", ["result"]
)
STATS_CACHE_HIT, STATS_CACHE_MISS = STATS_CACHE.labels("hit"), STATS_CACHE.labels("miss")
