"""Per-phone-number send throughput: a token bucket in Redis (one Lua script, atomic across all workers)."""

from __future__ import annotations

import logging
from functools import lru_cache

import redis
from django.conf import settings

logger = logging.getLogger("chairside.messaging")

# KEYS[1]: bucket; ARGV: rate per second, capacity. Time comes from Redis so workers' clocks do not matter.
# Returns 0 when a token was taken, else the milliseconds until one will be available.
_TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return wait
"""


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


@lru_cache(maxsize=4)
def _script(url: str):
    return _client(url).register_script(_TOKEN_BUCKET)


def bucket_key(phone_number_id: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "chairside")
    return f"{prefix}:wa-send-rate:{phone_number_id}"


def send_slot_wait(phone_number_id: str, rate_per_second: int | None = None) -> float:
    """Take one send token for this phone number: 0.0 when allowed now, else the seconds to wait.

    If Redis is unreachable the send is allowed (Meta's own limit, error 130429, is the backstop and is retried).
    """
    rate = rate_per_second or settings.WHATSAPP_SEND_RATE_PER_SECOND
    try:
        wait_ms = _script(settings.REDIS_URL)(keys=[bucket_key(phone_number_id)], args=[rate, rate])
    except redis.RedisError:
        logger.warning("send rate limiter unavailable; sending without it", exc_info=True)
        return 0.0
    return int(wait_ms) / 1000.0
