"""What the API accepts as input, for every endpoint: JSON that PostgreSQL can store, and dates it can compute with.

- ``SafeJSONParser`` (the API's only parser): a body nested deeper than ``MAX_JSON_DEPTH``, or holding a NUL
  character or a lone UTF-16 surrogate in any key or string, is a 400 before any view sees it (PostgreSQL text and
  jsonb cannot hold either, and deep nesting exhausts the recursion limit of everything that walks it).
- ``ApiJSONErrorsMiddleware``: every error answer under ``/api/`` is JSON, whoever produced it (an URL that does not
  resolve, such as a malformed salon id, Django's 404/405/500 pages), and a NUL in a query parameter is a 400.
- ``validate_plausible_date`` and the fields built on it: dates and times outside 1900-01-01 .. 2999-12-31 are
  refused, so that converting them between the salon's zone and UTC, or adding the days of a range, cannot overflow.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

MAX_JSON_DEPTH = 32
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


# --- JSON bodies ---------------------------------------------------------------------------------------------------
def storable_text_problem(text: str) -> str | None:
    """Why PostgreSQL cannot store ``text`` (a NUL or a lone surrogate), or None."""
    if "\x00" in text:
        return "NUL characters (\\u0000) are not allowed."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Lone UTF-16 surrogates are not valid text."
    return None


def json_problem(value, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a decoded JSON value cannot be accepted (too deep, or unstorable text anywhere in it), or None."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = storable_text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict | list):
            if depth > max_depth:
                return f"JSON nested deeper than {max_depth} levels."
            if isinstance(item, dict):
                for key, child in item.items():
                    stack.append((key, depth))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def validate_storable_json(value) -> None:
    """A serializer validator for JSON fields (their value may also come from a string inside the body)."""
    problem = json_problem(value)
    if problem:
        raise serializers.ValidationError(problem)


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, plus the limits above (a RecursionError of the decoder is one of them, not a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        problem = json_problem(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}")
        return data


# --- dates ---------------------------------------------------------------------------------------------------------
def validate_plausible_date(value: date | datetime | None) -> None:
    """Refuse a date (or the date of a date-time) outside EARLIEST_DATE .. LATEST_DATE."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            f"Give a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}.", code="date_range"
        )


class PlausibleDateField(serializers.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_plausible_date)


class PlausibleDateTimeField(serializers.DateTimeField):
    """A date-time whose date is between EARLIEST_DATE and LATEST_DATE.

    Checked before DRF applies the time zone: that conversion itself overflows at year 1 and 9999.
    """

    default_error_messages = {"date_range": f"Give a date between {EARLIEST_DATE} and {LATEST_DATE}."}

    def enforce_timezone(self, value):
        if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            self.fail("date_range")
        return super().enforce_timezone(value)


class PlausibleDateFilter(filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_plausible_date])
        super().__init__(*args, **kwargs)


class PlausibleIsoDateTimeFilter(filters.IsoDateTimeFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_plausible_date])
        super().__init__(*args, **kwargs)


# --- every error under /api/ is JSON ---------------------------------------------------------------------------------
class ApiJSONErrorsMiddleware:
    """Under ``/api/``: NUL in a query parameter is a 400, and an error answer that is not JSON becomes JSON."""

    prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        for name, values in request.GET.lists():
            if any("\x00" in part for part in (name, *values)):
                return JsonResponse(
                    {name.replace("\x00", "") or "query": ["NUL characters (\\u0000) are not allowed."]}, status=400
                )
        response = self.get_response(request)
        # DRF's own answers are already negotiated (JSON, or the browsable API's HTML for a browser that asked).
        if isinstance(response, Response):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            payload = {"detail": _detail_for(response.status_code), "code": _code_for(response.status_code)}
            json_response = JsonResponse(payload, status=response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response


_DETAILS = {
    400: ("Bad request.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    405: ("Method not allowed.", "method_not_allowed"),
    413: ("Request body too large.", "too_large"),
}


def _detail_for(status_code: int) -> str:
    if status_code in _DETAILS:
        return _DETAILS[status_code][0]
    return "Server error." if status_code >= 500 else "Request refused."


def _code_for(status_code: int) -> str:
    if status_code in _DETAILS:
        return _DETAILS[status_code][1]
    return "server_error" if status_code >= 500 else "error"


__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_JSON_DEPTH",
    "ApiJSONErrorsMiddleware",
    "PlausibleDateField",
    "PlausibleDateFilter",
    "PlausibleDateTimeField",
    "PlausibleIsoDateTimeFilter",
    "SafeJSONParser",
    "json_problem",
    "storable_text_problem",
    "validate_plausible_date",
    "validate_storable_json",
]
