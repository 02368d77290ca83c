"""Signature verification over the raw bytes: every fixture body, the independent test vector, rotation, and the
classic mistake (verifying re-serialised JSON) failing closed."""

from __future__ import annotations

import json

import pytest

from webhooks.models import EventStatus, WebhookEvent
from webhooks.services import sign, signature_valid
from webhooks.tests.conftest import SECRET, VECTOR_SECRET
from webhooks.tests.payloads import fixture_body, fixture_signatures

SIGNATURES = fixture_signatures()


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_fixture_body_verifies_with_its_recorded_signature(name):
    assert signature_valid(body=fixture_body(name), header=SIGNATURES[name])


def test_independent_test_vector_verifies_with_its_own_secret_only():
    body = fixture_body("signed_text_message.body")
    header = "sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441"
    assert SIGNATURES["signed_text_message.body"] == header
    assert signature_valid(body=body, header=header, secrets=[VECTOR_SECRET])
    assert not signature_valid(body=body, header=header, secrets=[SECRET])


def test_non_ascii_body_reserialised_from_parsed_json_fails_verification():
    raw = fixture_body("inbound_text_non_ascii.body")
    header = SIGNATURES["inbound_text_non_ascii.body"]
    assert signature_valid(body=raw, header=header)
    # What frameworks typically do: default separators, or UTF-8 output (json.dumps(..., ensure_ascii=False)).
    for reserialised in (
        json.dumps(json.loads(raw)).encode(),
        json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode(),
        json.dumps(json.loads(raw), ensure_ascii=False).encode("utf-8"),
    ):
        assert reserialised != raw
        assert not signature_valid(body=reserialised, header=header)


def test_any_configured_secret_is_accepted_for_rotation(settings):
    body = fixture_body("inbound_text.body")
    settings.WHATSAPP_APP_SECRETS = ["new-secret", SECRET]
    assert signature_valid(body=body, header=sign(body=body, secret="new-secret"))
    assert signature_valid(body=body, header=SIGNATURES["inbound_text.body"])
    settings.WHATSAPP_APP_SECRETS = ["new-secret"]
    assert not signature_valid(body=body, header=SIGNATURES["inbound_text.body"])


@pytest.mark.parametrize(
    "header",
    ["", "sha256=", "sha1=0a92fa88d43ba9c3191aed9f1efc2dee608a58bbad5a73345a1a160ae84b0c48", "sha256=zz", "sha256=ä"],
)
def test_malformed_signature_headers_are_invalid(header):
    assert not signature_valid(body=fixture_body("inbound_text.body"), header=header)


def test_uppercase_hex_signature_is_accepted():
    header = SIGNATURES["inbound_text.body"]
    assert signature_valid(body=fixture_body("inbound_text.body"), header="sha256=" + header[7:].upper())


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_every_fixture_body_is_accepted_over_http_and_stored_byte_for_byte(name, post_signed):
    body = fixture_body(name)
    response = post_signed(body, signature=SIGNATURES[name])
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.body_bytes == body
    assert event.status == EventStatus.RECEIVED
