"""Meta's error envelope: the codes the fake answers with, their titles and the HTTP status Meta gives each."""

from __future__ import annotations

import secrets
from typing import Any

# Titles as Meta words them, and the HTTP status it answers with. Throttling codes answer 429.
ERROR_TITLES: dict[int, tuple[str, int]] = {
    0: ("AuthException", 401),
    1: ("An unknown error occurred", 500),
    2: ("Service temporarily unavailable", 503),
    4: ("Application request limit reached", 429),
    10: ("Permission denied", 403),
    100: ("Invalid parameter", 400),
    190: ("Invalid OAuth access token - Cannot parse access token", 401),
    200: ("Permission error", 403),
    368: ("Temporarily blocked for policies violations", 403),
    80007: ("Rate limit issues", 429),
    130429: ("Rate limit hit", 429),
    131000: ("Something went wrong", 500),
    131008: ("Required parameter is missing", 400),
    131009: ("Parameter value is not valid", 400),
    131016: ("Service unavailable", 503),
    131026: ("Message undeliverable", 400),
    131031: ("Account has been locked", 403),
    131047: ("Re-engagement message", 400),
    131048: ("Spam rate limit hit", 429),
    131050: ("Unable to deliver the message. This recipient has chosen to stop receiving marketing messages", 400),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", 429),
    131062: ("Business-scoped User ID recipients are not supported for this message", 400),
    132000: ("Number of parameters does not match the expected number of params", 400),
    132001: ("Template name does not exist in the translation", 404),
    132005: ("Translated text too long", 400),
    132012: ("Parameter format does not match format in the created template", 400),
    132015: ("Template is paused", 400),
    132016: ("Template is disabled", 400),
}
THROTTLING_CODES = frozenset(code for code, (_, status) in ERROR_TITLES.items() if status == 429)


class GraphError(Exception):
    """A request Meta refuses: ``code`` (Meta's), ``details`` (its error_data.details)."""

    def __init__(self, code: int, details: str = ""):
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details


def error_envelope(code: int, details: str = "") -> tuple[int, dict]:
    """(HTTP status, body) of Meta's answer for ``code``."""
    title, http_status = ERROR_TITLES.get(code, ("Unknown error", 400))
    error: dict[str, Any] = {
        "message": f"(#{code}) {title}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or title},
        "fbtrace_id": "A" + secrets.token_urlsafe(16),
    }
    if code == 190:
        error["error_subcode"] = 463
    return http_status, {"error": error}
