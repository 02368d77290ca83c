"""How the OpenAPI schema describes what the API really sends and accepts (drf-spectacular extensions).

Imported by ``config.urls`` so that the extensions are registered before the schema is generated.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

# "09:00", "09:00:00" or "09:00:00.5": a wall-clock time of the salon, without an offset.
LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


class LocalTimeFieldExtension(OpenApiSerializerFieldExtension):
    """A ``TimeField`` is the salon's local wall-clock time ("09:00:00"), not an RFC 3339 ``time`` with an offset
    (which is what ``format: time`` means to JSON Schema validators)."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": LOCAL_TIME_PATTERN, "example": "09:00:00"}
