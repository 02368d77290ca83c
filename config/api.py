"""API-wide pieces: the exception handler that turns domain and database errors into clean 4xx answers."""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("chairside.api")


class _CountedPaginator(DjangoPaginator):
    """Pages one queryset and counts another (the same rows, fewer joins)."""

    def __init__(self, object_list, per_page, *, counted, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


class Pagination(PageNumberPagination):
    """Every list of the API (the default pagination class): ``?page=`` and ``?page_size=`` up to 200."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_rows(self, rows, *, counted, request, view=None) -> list[dict] | None:
        """A page of ``rows`` (a ``.values()`` queryset), with the count taken on ``counted``, the model queryset it
        was made from.

        The count of a ``.values()`` query keeps the joins its related columns brought (``customer__name``: an INNER
        JOIN PostgreSQL may not drop), so it would join every row of the list to count it; counted on the model
        queryset it reads only the listed table (bench_list)."""
        self.django_paginator_class = functools.partial(_CountedPaginator, counted=counted)
        return self.paginate_queryset(rows, request, view)


class FilterBackend(DjangoFilterBackend):
    """django-filter (the default filter backend), skipped when the request names none of the view's filters.

    A FilterSet with no data filters nothing, but building it builds a form with a deep copy of every field (the
    model choice fields' querysets too) and validates it: a third of a bookings list request (bench_list). A query
    parameter that starts with a filter's name (``status``, ``date_from``, a range filter's ``_after``) takes the
    full path, so a bad value still gets its 400."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(key.startswith(names) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


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
