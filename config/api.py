"""API-wide pieces: the exception handler that turns domain and database errors into clean 4xx answers."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("chairside.api")


class Pagination(PageNumberPagination):
    """Every list of the API (the default pagination class): ``?page=`` and ``?page_size=`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200


class DomainError(Exception):
    """Base for business-rule errors raised by services; the API maps them to 4xx responses.

    A subclass names its machine-readable ``code`` in its bases: ``class WindowClosed(Conflict, code="window_closed")``.
    """

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init_subclass__(cls, *, code: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if code:
            cls.code = code

    def __init__(self, message: str = "", *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_payload(self) -> dict:
        if self.field:
            payload: dict = {self.field: [self.message]}
        else:
            payload = {"detail": self.message}
        payload["code"] = self.code
        payload.update(self.extra)
        return payload


class NotFound(DomainError, code="not_found"):
    status_code = status.HTTP_404_NOT_FOUND


class Conflict(DomainError, code="conflict"):
    status_code = status.HTTP_409_CONFLICT


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_payload(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response
