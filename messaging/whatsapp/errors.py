"""Graph API errors: parsed from Meta's error envelope and classified by ``error.code`` into what we do about them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from localization import in_language


class GraphAPIError(Exception):
    """An error answer from the Graph API (or no answer at all). Subclasses say how to react."""

    retryable = False
    explanation = pgettext_lazy(
        "WhatsApp error explanation", "WhatsApp refused the message. The details below are Meta's own words."
    )

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        subcode: int | None = None,
        title: str = "",
        details: str = "",
        http_status: int | None = None,
        fbtrace_id: str = "",
    ):
        super().__init__(message or title or f"Graph API error {code}")
        self.message = message
        self.code = code
        self.subcode = subcode
        self.title = title or message
        self.details = details
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id

    def backoff_seconds(self, attempt: int) -> float:
        """Base delay before retry number ``attempt`` (1-based); jitter is added by the caller."""
        return min(2.0**attempt, 300.0)


class TransientError(GraphAPIError):
    retryable = True
    explanation = pgettext_lazy(
        "WhatsApp error explanation", "WhatsApp had a temporary problem; the message is being retried automatically."
    )


class ThrottledError(TransientError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "WhatsApp asked us to slow down (rate limit); the message is being retried automatically.",
    )

    def backoff_seconds(self, attempt: int) -> float:
        return min(5.0 * 2.0 ** (attempt - 1), 600.0)


class PairRateLimitError(ThrottledError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "Too many messages were sent to this customer in a short time; WhatsApp holds further ones back for a while. "
        "The message is retried automatically with growing pauses.",
    )

    def backoff_seconds(self, attempt: int) -> float:
        # Meta's guidance for 131056: wait 4^n seconds before the n-th retry.
        return min(4.0**attempt, 3600.0)


class WindowClosedError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "More than 24 hours have passed since the customer last wrote, so WhatsApp only accepts an approved template. "
        "Send a template instead, or wait until the customer writes again.",
    )


class UndeliverableError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "WhatsApp could not deliver this message: the number may not use WhatsApp, may not have accepted the latest "
        "terms, or may be on an outdated app. Check the number or contact the customer another way.",
    )


class MarketingOptOutError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "The customer has chosen in WhatsApp not to receive marketing messages from businesses. "
        "Marketing templates will not reach them; service and utility messages still can.",
    )


class TemplateError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "The message template is not usable as sent: it may not exist in this language, not be approved, be paused, "
        "or the parameters do not match it. Check the template in the templates list.",
    )


class InvalidRequestError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "WhatsApp rejected the message as malformed or not allowed for this number. Retrying will not help.",
    )


class AuthError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "The salon's WhatsApp access token is invalid or expired. Reconnect WhatsApp (enter a new token) in the salon "
        "settings; messages will fail until then.",
    )


class PermissionDeniedError(GraphAPIError):
    explanation = pgettext_lazy(
        "WhatsApp error explanation",
        "The salon's WhatsApp account lacks permission for this action, or the business account is restricted. "
        "Check the account's status and permissions in Meta Business Manager.",
    )


TRANSIENT_CODES = {1, 2, 131000, 131016}
THROTTLED_CODES = {4, 80007, 130429}
PAIR_RATE_CODES = {131056}
TEMPLATE_CODES = {132000, 132001, 132005, 132012, 132015, 132016}
INVALID_CODES = {100, 131008, 131009}
AUTH_CODES = {190, 0}
PERMISSION_CODES = {10, 368, 131031, *range(200, 300)}

_BY_CODE: dict[int, type[GraphAPIError]] = {}
for _codes, _cls in (
    (TRANSIENT_CODES, TransientError),
    (THROTTLED_CODES, ThrottledError),
    (PAIR_RATE_CODES, PairRateLimitError),
    ({131047}, WindowClosedError),
    ({131026}, UndeliverableError),
    ({131050}, MarketingOptOutError),
    (TEMPLATE_CODES, TemplateError),
    (INVALID_CODES, InvalidRequestError),
    (AUTH_CODES, AuthError),
    (PERMISSION_CODES, PermissionDeniedError),
):
    for _code in _codes:
        _BY_CODE[_code] = _cls

# More precise wording for the commonest template codes.
_SPECIFIC = {
    132000: pgettext_lazy(
        "WhatsApp error explanation",
        "The number of template parameters sent does not match the template. Check the template's placeholders.",
    ),
    132001: pgettext_lazy(
        "WhatsApp error explanation",
        "This template does not exist in this language on WhatsApp (or is not approved yet).",
    ),
    132005: pgettext_lazy(
        "WhatsApp error explanation",
        "The template's text is too long once the parameters are filled in. Shorten the parameters.",
    ),
    132012: pgettext_lazy(
        "WhatsApp error explanation",
        "A template parameter has the wrong format (for example text where an image is expected).",
    ),
    132015: pgettext_lazy(
        "WhatsApp error explanation",
        "WhatsApp paused this template because of low quality ratings; it cannot be sent until it recovers.",
    ),
    132016: pgettext_lazy(
        "WhatsApp error explanation",
        "WhatsApp disabled this template permanently because of low quality; create a new one.",
    ),
    131008: pgettext_lazy("WhatsApp error explanation", "A required field is missing from the message."),
    131009: pgettext_lazy(
        "WhatsApp error explanation", "A value in the message is not valid (for example a button payload or an id)."
    ),
}


def classify(code: int | None, http_status: int | None = None) -> type[GraphAPIError]:
    """The error class for Meta's ``error.code``; unknown codes fall back to the HTTP status (5xx = transient)."""
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if http_status is not None and http_status >= 500:
        return TransientError
    if http_status == 429:
        return ThrottledError
    return GraphAPIError


def explain(code: int | None, language: str | None = None, *, error: GraphAPIError | None = None) -> str:
    """A salon owner's explanation of an error code (used for failed status webhooks too), in ``language`` (the
    salon's; the active language when None). ``error``: the exception, whose class explains an error that came
    without a code (a timeout, an HTTP 5xx)."""
    if code in _SPECIFIC:
        text = _SPECIFIC[code]
    elif code is None and error is not None:
        text = error.explanation
    else:
        text = classify(code).explanation
    return in_language(language, lambda: str(text)) if language else str(text)


def from_response(http_status: int, payload: Any) -> GraphAPIError:
    """The error from Meta's envelope: {"error": {"message", "type", "code", "error_subcode", "error_data", ...}}."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        cls = classify(None, http_status)
        return cls(f"HTTP {http_status} without an error envelope", http_status=http_status)
    code = error.get("code")
    try:
        code = int(code) if code is not None else None
    except (TypeError, ValueError):
        code = None
    error_data = error.get("error_data") or {}
    details = error_data.get("details", "") if isinstance(error_data, dict) else str(error_data)
    cls = classify(code, http_status)
    return cls(
        error.get("message", ""),
        code=code,
        subcode=error.get("error_subcode"),
        title=error.get("error_user_title") or error.get("message", ""),
        details=details or error.get("error_user_msg", ""),
        http_status=http_status,
        fbtrace_id=error.get("fbtrace_id", ""),
    )
