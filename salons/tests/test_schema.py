"""The OpenAPI 3 schema validates and the interactive docs render."""

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    paths = spec["paths"]
    assert "/api/v1/salons/{salon_id}/customers/" in paths and "/api/v1/auth/token/" in paths
    schemes = spec["components"]["securitySchemes"]
    assert {"ApiKeyAuth", "jwtAuth"} <= schemes.keys()


def test_docs_render(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
