"""Prometheus metrics for WhatsApp sending."""

from prometheus_client import Counter, Histogram

MESSAGES_SENT = Counter(
    "chairside_whatsapp_messages_total",
    "Outbound WhatsApp send attempts by message type and outcome (sent, retry, failed, throttled, sandbox).",
    ["type", "outcome"],
)
GRAPH_ERRORS = Counter(
    "chairside_whatsapp_graph_errors_total", "Graph API errors by Meta error code.", ["code", "error_class"]
)
SEND_LATENCY = Histogram(
    "chairside_whatsapp_send_seconds",
    "Time of one Graph API send call.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
