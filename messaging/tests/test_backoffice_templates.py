"""The template editor: the body with {{1}} placeholders and an example each, saved as components and submitted to
WhatsApp (the fake Graph API) through the services; status and rejection reason on the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from messaging.backoffice.template_editor import build_components, preview
from messaging.models import MessageTemplate, TemplateStatus
from messaging.tasks import template_push
from salons.models import Role
from salons.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "Hi {{1}}, your {{2}} is confirmed."


@pytest.fixture
def manager_client(salon):
    client = Client()
    client.force_login(MembershipFactory(salon=salon, role=Role.MANAGER).user)
    return client


def _submit_pushes(monkeypatch):
    """Run the push task inline when it is enqueued (after commit), as the worker would."""
    monkeypatch.setattr(template_push, "apply_async", lambda kwargs, **_: template_push(**kwargs))


def test_a_new_template_is_built_from_the_body_and_examples_and_submitted(manager_client, salon, graph, monkeypatch):
    _submit_pushes(monkeypatch)
    form = {"name": "visit_follow_up", "language": "en", "category": "UTILITY", "body": BODY,
            "example_1": "Maria", "example_2": "haircut", "footer": "Studio Aurora"}  # fmt: skip
    response = manager_client.post(reverse("admin:messaging_messagetemplate_add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    template = MessageTemplate.all_salons.get(name="visit_follow_up")
    assert template.components == [
        {"type": "BODY", "text": BODY, "example": {"body_text": [["Maria", "haircut"]]}},
        {"type": "FOOTER", "text": "Studio Aurora"},
    ]
    assert template.meta_id and template.status == TemplateStatus.PENDING
    [at_meta] = [t for t in graph.templates(salon.waba_id) if t["name"] == "visit_follow_up"]
    assert at_meta["components"][0]["text"] == BODY


def test_a_placeholder_without_an_example_is_a_form_error(manager_client, salon):
    form = {"name": "x", "language": "en", "category": "UTILITY", "body": BODY, "example_1": "Maria"}
    response = manager_client.post(reverse("admin:messaging_messagetemplate_add"), form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["example_2"]
    assert not MessageTemplate.all_salons.exists()


def test_editing_the_body_resubmits_and_the_page_shows_status_and_reason(manager_client, salon, graph, monkeypatch):
    _submit_pushes(monkeypatch)
    template = MessageTemplate.all_salons.create(
        salon=salon, name="promo", language="de", category="MARKETING", status=TemplateStatus.REJECTED,
        rejection_reason="INVALID_FORMAT", components=[{"type": "BODY", "text": "Hallo {{1}}",
                                                       "example": {"body_text": [["Lena"]]}}],
    )  # fmt: skip
    url = reverse("admin:messaging_messagetemplate_change", args=[template.pk])
    html = manager_client.get(url).content.decode()
    assert "INVALID_FORMAT" in html and 'id="template-preview"' in html
    assert 'value="Lena"' in html and "Hallo {{1}}" in html
    response = manager_client.post(
        url, {"category": "MARKETING", "body": "Hallo {{1}}, 10 % Rabatt!", "example_1": "Lena"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body_text == "Hallo {{1}}, 10 % Rabatt!"
    assert (template.status, template.rejection_reason) == (TemplateStatus.PENDING, "")
    assert template.meta_id  # submitted to the (fake) Graph API


def test_preview_and_components_keep_buttons():
    buttons = {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "OK"}]}
    built = build_components(header="", body="Hi {{1}}", footer="", examples=["Ana"], keep=[buttons])
    assert built[-1] == buttons
    assert preview("Hi {{1}}, see you {{2}}", {1: "Ana"}) == "Hi Ana, see you {{2}}"
