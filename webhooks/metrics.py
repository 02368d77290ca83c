"""Prometheus metrics of the inbound webhook: received, invalid signatures, processed, failed, items and lag."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

RECEIVED = Counter(
    "chairside_webhook_received_total",
    "Signed webhook POSTs, by outcome (stored, duplicate = byte-identical redelivery absorbed, not_json).",
    ["outcome"],
)
# Bound once: the request path increments one of these per POST without a label lookup.
RECEIVED_STORED, RECEIVED_DUPLICATE, RECEIVED_NOT_JSON = (
    RECEIVED.labels(outcome) for outcome in ("stored", "duplicate", "not_json")
)
INVALID_SIGNATURE = Counter(
    "chairside_webhook_invalid_signature_total",
    "Webhook POSTs refused before storing, by reason (missing = 401, mismatch = 403).",
    ["reason"],
)
PROCESSED = Counter(
    "chairside_webhook_events_processed_total",
    "Webhook events that finished processing, by final status.",
    ["status"],
)
FAILED = Counter(
    "chairside_webhook_events_failed_total",
    "Webhook events marked failed after their last attempt (needs an operator: manage.py webhooks_replay --failed).",
)
RETRIED = Counter("chairside_webhook_events_retried_total", "Processing attempts that failed and were rescheduled.")
ITEMS = Counter(
    "chairside_webhook_items_total",
    "Items (messages, statuses, template events) walked, by kind and outcome.",
    ["kind", "status"],
)
LAG = Histogram(
    "chairside_webhook_processing_lag_seconds",
    "From receiving an event to finishing its processing.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
