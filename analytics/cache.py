"""The stats cache: one version number per salon in Redis, bumped whenever its bookings or messages change."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from analytics.metrics import STATS_CACHE_HIT, STATS_CACHE_MISS
from config.coalesce import coalesced

logger = logging.getLogger("chairside.stats")

# A cached answer also expires on its own: rows the signals do not see (bulk updates) are never staler than this.
STATS_CACHE_SECONDS = 300


def _version_key(salon_id: uuid.UUID | str) -> str:
    return f"stats:version:{salon_id}"


@coalesced("stats_version_bump")
def _stats_versions_bump(salon_ids: list[uuid.UUID | str]) -> None:
    # Once per salon, in one round trip: inside config.coalesce.coalescing() (the webhook relay's batches) this gets
    # every salon a batch touched, instead of one INCR per committed message.
    keys = list(dict.fromkeys(cache.make_key(_version_key(salon_id)) for salon_id in salon_ids))
    try:
        pipeline = cache.client.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            pipeline.incr(key)
        pipeline.execute()
    except Exception:  # the cache degrades to misses everywhere else too
        logger.warning("stats version bump failed", extra={"salon_ids": [str(x) for x in salon_ids]}, exc_info=True)


def stats_version_bump(salon_id: uuid.UUID | str) -> None:
    """Make every cached stats answer of the salon stale (one Redis INCR; a Redis outage is logged, not raised)."""
    _stats_versions_bump(salon_id)


def stats_cached(salon_id: uuid.UUID | str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s answer, cached until the salon's version changes; one Redis round trip on a hit."""
    version_key = _version_key(salon_id)
    answer_key = f"stats:answer:{salon_id}:{key}"
    found = cache.get_many([version_key, answer_key])
    version = int(found.get(version_key) or 0)
    hit = found.get(answer_key)
    if hit is not None and hit[0] == version:
        STATS_CACHE_HIT.inc()
        return hit[1]
    STATS_CACHE_MISS.inc()
    value = compute()
    cache.set(answer_key, (version, value), STATS_CACHE_SECONDS)
    return value
