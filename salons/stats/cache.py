"""The stats cache: one version number per salon in Redis, bumped whenever its bookings or messages change."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger("chairside.stats")

# A cached answer also expires on its own: rows the signals do not see (bulk updates) are never staler than this.
STATS_CACHE_SECONDS = 300


def _version_key(salon_id: uuid.UUID | str) -> str:
    return f"stats:version:{salon_id}"


def stats_version_bump(salon_id: uuid.UUID | str) -> None:
    """Make every cached stats answer of the salon stale (one Redis INCR; a Redis outage is logged, not raised)."""
    try:
        cache.client.get_client(write=True).incr(cache.make_key(_version_key(salon_id)))
    except Exception:  # the cache degrades to misses everywhere else too
        logger.warning("stats version bump failed", extra={"salon_id": str(salon_id)}, exc_info=True)


def stats_cached(salon_id: uuid.UUID | str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer, cached until the salon's version changes; one Redis round trip on a hit."""
    version_key = _version_key(salon_id)
    answer_key = f"stats:answer:{salon_id}:{key}"
    found = cache.get_many([version_key, answer_key])
    version = int(found.get(version_key) or 0)
    hit = found.get(answer_key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = compute()
    cache.set(answer_key, (version, value), STATS_CACHE_SECONDS)
    return value
