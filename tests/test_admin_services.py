"""Every admin write of salon data goes through a service: the walk over ``admin.site._registry``.

For each registered ModelAdmin (as a superuser, who may do the most, on a real row from the apps' ``ADMIN_FACTORIES``):
if it may add or change a row and its form has an editable field, it must name ``service_save``; if it may delete a
row, ``service_delete``; an inline that may add, change (with an editable field) or delete rows must be one of its
parent's ``service_inlines``. Otherwise the admin would write around the rules the API enforces. Admins of data that
is not a salon's are listed in ``NOT_SALON_DATA`` with the reason.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from ai_conversations.tests.factories import AssistantSettingsFactory
from bookings.models import StaffMember, WorkingHours
from messaging.models import MessageTemplate
from messaging.tasks import template_push
from messaging.tests.factories import MessageTemplateFactory
from salons.models import ChannelStatus, Invitation, Membership, Role, Salon, User
from salons.tenancy import TenantModel, salon_scope
from salons.tests.factories import MembershipFactory, SalonFactory, UserFactory
from tests.isolation import support
from webhooks.models import WebhookEvent

NOT_SALON_DATA = {
    User: "people's accounts, superusers only (salon staff manage members through invitations and memberships)",
    Group: "Django permission groups, superusers only; salon access is by membership, not groups",
    WebhookEvent: "Meta's raw event log, superusers only, stored before any salon is known (replay is a service)",
    OutstandingToken: "JWT refresh tokens of accounts (simplejwt's admin), superusers only",
    BlacklistedToken: "revoked JWT refresh tokens (simplejwt's admin), superusers only",
}
IGNORED_FORM_FIELDS = {"salon"}


def _row(model, salon):
    if model is Salon:
        return salon
    return support.admin_factories()[model](salon)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _editable(form_class) -> list[str]:
    return [name for name in form_class.base_fields if name not in IGNORED_FORM_FIELDS]


def _inline_editable(inline, request, obj) -> list[str]:
    formset = inline.get_formset(request, obj)
    fk = getattr(formset, "fk", None)
    skip = {"id", "DELETE", getattr(fk, "name", None), *IGNORED_FORM_FIELDS}
    return [name for name in formset.form.base_fields if name not in skip]


def _problems(model, model_admin, request, obj) -> list[str]:
    label = f"{model._meta.label} ({type(model_admin).__name__})"
    problems = []
    has_save = getattr(model_admin, "service_save", None) is not None
    has_delete = getattr(model_admin, "service_delete", None) is not None
    may_add = model_admin.has_add_permission(request)
    if may_add and _editable(model_admin.get_form(request, None, change=False)) and not has_save:
        problems.append(f"{label}: adds rows without service_save")
    may_change = model_admin.has_change_permission(request, obj)
    if may_change and _editable(model_admin.get_form(request, obj, change=True)) and not has_save:
        problems.append(f"{label}: changes rows without service_save")
    if model_admin.has_delete_permission(request, obj) and not has_delete:
        problems.append(f"{label}: deletes rows without service_delete")
    handled = tuple(getattr(model_admin, "service_inlines", ()))
    for inline in model_admin.get_inline_instances(request, obj):
        writable = (
            inline.has_add_permission(request, obj)
            or (inline.can_delete and inline.has_delete_permission(request, obj))
            or (inline.has_change_permission(request, obj) and _inline_editable(inline, request, obj))
        )
        if writable and (type(inline) not in handled or not has_save):
            problems.append(f"{label}: inline {type(inline).__name__} writes rows outside service_save")
    return problems


@pytest.mark.django_db
def test_every_writable_admin_routes_through_a_service():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = _request(superuser)
    salon = SalonFactory()
    problems, walked = [], 0
    for model, model_admin in admin.site._registry.items():
        if model in NOT_SALON_DATA:
            continue
        if not (issubclass(model, TenantModel) or model is Salon):
            problems.append(f"{model._meta.label}: neither salon data nor listed in NOT_SALON_DATA")
            continue
        obj = _row(model, salon)
        with salon_scope(salon):
            problems += _problems(model, model_admin, request, obj)
        walked += 1
    print(f"\nadmin services walk: {walked} ModelAdmins of salon data")
    assert walked >= 10
    assert not problems, "\n".join(problems)


# --- the rules the API enforces hold in the admin too ------------------------------------------------------------


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _week(ranges) -> dict:
    data = {**_management("staff_services", 0), **_management("working_hours", len(ranges))}
    for n, (weekday, start, end) in enumerate(ranges):
        data.update(
            {
                f"working_hours-{n}-weekday": str(weekday),
                f"working_hours-{n}-start_time": start,
                f"working_hours-{n}-end_time": end,
            }
        )
    return data


def _errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@pytest.mark.django_db
def test_overlapping_working_hours_are_a_form_error_and_nothing_is_saved(salon, make_member):
    client = _admin(make_member(salon, Role.MANAGER))
    url = reverse("admin:bookings_staffmember_add")
    data = {"name": "Ana", "is_active": "on", "user": ""}
    response = client.post(url, {**data, **_week([(0, "09:00", "13:00"), (0, "12:00", "18:00")])})
    assert response.status_code == 200
    assert "Working hours of one day may not overlap." in _errors(response)
    assert not StaffMember.all_salons.filter(salon=salon).exists()
    assert not WorkingHours.all_salons.filter(salon=salon).exists()

    response = client.post(url, {**data, **_week([(0, "09:00", "13:00"), (0, "14:00", "18:00")])})
    assert response.status_code == 302
    staff = StaffMember.all_salons.get(salon=salon)
    hours = WorkingHours.all_salons.filter(staff=staff).order_by("start_time")
    assert [(h.start_time.hour, h.end_time.hour) for h in hours] == [(9, 13), (14, 18)]

    change = reverse("admin:bookings_staffmember_change", args=[staff.pk])
    response = client.post(change, {**data, **_week([(2, "10:00", "16:00"), (2, "15:00", "17:00")])})
    assert "Working hours of one day may not overlap." in _errors(response)
    assert WorkingHours.all_salons.filter(staff=staff).count() == 2  # the stored week is untouched


@pytest.mark.django_db
def test_staff_linked_to_someone_who_is_not_a_member_is_a_form_error(salon):
    outsider = UserFactory()
    client = _admin(UserFactory(is_staff=True, is_superuser=True))
    data = {"name": "Ben", "is_active": "on", "user": str(outsider.pk), "salon": str(salon.pk), **_week([])}
    response = client.post(reverse("admin:bookings_staffmember_add"), data)
    assert response.status_code == 200
    assert "Only a member of this salon can be linked to a staff member." in _errors(response)
    assert not StaffMember.all_salons.filter(salon=salon).exists()


def _salon_change_data(client, salon) -> tuple[dict, list]:
    page = client.get(reverse("admin:salons_salon_change", args=[salon.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["reminder_offsets_minutes"] = ",".join(str(n) for n in salon.reminder_offsets_minutes)
    data.pop("is_active", None)
    data["is_active"] = "on"
    rows = []
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_management(formset.prefix, len(formset.forms), formset.initial_form_count()))
        for row in formset.forms:
            data[f"{row.prefix}-id"] = str(row.instance.pk)
            data[f"{row.prefix}-salon"] = str(salon.pk)
            data[f"{row.prefix}-role"] = row.instance.role
            rows.append(row)
    return data, rows


@pytest.mark.django_db
def test_the_last_owner_cannot_be_demoted_or_removed_in_the_admin(salon, owner):
    client = _admin(owner)
    data, rows = _salon_change_data(client, salon)
    (mine,) = rows
    url = reverse("admin:salons_salon_change", args=[salon.pk])

    response = client.post(url, {**data, f"{mine.prefix}-role": Role.MANAGER})
    assert response.status_code == 200
    assert "A salon keeps at least one owner" in _errors(response)
    response = client.post(url, {**data, f"{mine.prefix}-DELETE": "on"})
    assert response.status_code == 200 and "last owner" in _errors(response)
    assert Membership.all_salons.get(salon=salon, user=owner).role == Role.OWNER

    # Making someone else owner and stepping down in the same save keeps an owner, so it is allowed.
    other = MembershipFactory(salon=salon, role=Role.MANAGER)
    data, rows = _salon_change_data(client, salon)
    prefix = {row.instance.user_id: row.prefix for row in rows}
    data[f"{prefix[other.user_id]}-role"] = Role.OWNER
    data[f"{prefix[owner.pk]}-role"] = Role.STAFF
    assert client.post(url, data).status_code == 302
    roles = dict(Membership.all_salons.filter(salon=salon).values_list("user_id", "role"))
    assert roles == {owner.pk: Role.STAFF, other.user_id: Role.OWNER}


@pytest.mark.django_db
def test_a_new_access_token_reactivates_a_flagged_channel(salon, owner):
    Salon.objects.filter(pk=salon.pk).update(channel_status=ChannelStatus.NEEDS_CREDENTIALS)
    salon.refresh_from_db()
    client = _admin(owner)
    data, _rows = _salon_change_data(client, salon)
    response = client.post(
        reverse("admin:salons_salon_change", args=[salon.pk]), {**data, "new_access_token": "EAAG-new"}
    )
    assert response.status_code == 302
    salon.refresh_from_db()
    assert salon.channel_status == ChannelStatus.ACTIVE and salon.whatsapp_access_token.reveal() == "EAAG-new"


def _template_data(template, **changes) -> dict:
    """What the template editor posts (messaging/backoffice/template_editor.py): the body and an example each."""
    return {"category": template.category, "body": template.body_text, **changes}


@pytest.mark.django_db
def test_a_template_edit_goes_back_to_review_and_is_submitted_to_whatsapp(
    salon, make_member, django_capture_on_commit_callbacks
):
    template = MessageTemplateFactory(salon=salon, status="APPROVED")
    client = _admin(make_member(salon, Role.MANAGER))
    url = reverse("admin:messaging_messagetemplate_change", args=[template.pk])
    components = [{"type": "BODY", "text": "Hello {{1}}, see you at {{2}}.", "example": {"body_text": [["A", "B"]]}}]

    no_body = _template_data(template, body="")
    response = client.post(url, no_body)
    assert response.status_code == 200 and "required" in _errors(response)
    no_example = _template_data(template, body="Hello {{1}}, see you at {{2}}.", example_1="A")
    response = client.post(url, no_example)
    assert response.status_code == 200 and "example for each placeholder" in _errors(response)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            url, _template_data(template, body="Hello {{1}}, see you at {{2}}.", example_1="A", example_2="B")
        )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.status == "PENDING" and template.components == components
    assert [c for c in callbacks if getattr(c, "args", [None])[0] is template_push]


@pytest.mark.django_db
def test_a_refused_delete_is_a_message_not_a_server_error(salon, make_member):
    template = MessageTemplateFactory(salon=salon)
    Salon.objects.filter(pk=salon.pk).update(waba_id="")  # WhatsApp not connected: Meta cannot be told
    client = _admin(make_member(salon, Role.MANAGER))
    response = client.post(reverse("admin:messaging_messagetemplate_delete", args=[template.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:messaging_messagetemplate_change", args=[template.pk])
    assert MessageTemplate.all_salons.filter(pk=template.pk).exists()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("WhatsApp is not connected" in m for m in shown)


@pytest.mark.django_db
def test_members_join_by_invitation_in_the_admin_too(salon, owner, mailoutbox, django_capture_on_commit_callbacks):
    client = _admin(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:salons_invitation_add"), {"email": "Pia@Example.com", "role": "staff"})
    assert response.status_code == 302
    invitation = Invitation.all_salons.get(salon=salon)
    assert (invitation.email, invitation.invited_by) == ("pia@example.com", owner)
    assert mailoutbox[0].to == ["pia@example.com"]
    assert not User.objects.filter(email="pia@example.com").exists()


@pytest.mark.django_db
def test_a_superuser_adds_a_salon_through_the_services():
    client = _admin(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:salons_salon_add"))
    form = page.context["adminform"].form
    data = {name: field.initial for name, field in form.fields.items() if field.initial not in (None, "")}
    data = {k: v() if callable(v) else v for k, v in data.items()}
    data.update(name="Studio Nord", slug="studio-nord", timezone="Europe/Lisbon", address="Rua 1", is_active="on")
    data["reminder_offsets_minutes"] = ""
    for inline in page.context["inline_admin_formsets"]:
        data.update(_management(inline.formset.prefix, 0))
    response = client.post(reverse("admin:salons_salon_add"), data)
    assert response.status_code == 302, _errors(response)
    salon = Salon.objects.get(slug="studio-nord")
    assert (salon.name, salon.timezone, salon.address) == ("Studio Nord", "Europe/Lisbon", "Rua 1")


@pytest.mark.django_db
def test_assistant_settings_are_saved_through_their_service(salon, make_member):
    settings_row = AssistantSettingsFactory(salon=salon, enabled=True)
    client = _admin(make_member(salon, Role.MANAGER))
    url = reverse("admin:ai_conversations_assistantsettings_change", args=[settings_row.pk])
    data = {
        "llm_model": "small-model",
        "monthly_budget": "25.00",
        "budget_currency": "EUR",
        "use_llm": "on",
        "reply_max_delay_minutes": "15",
    }
    assert client.post(url, data).status_code == 302
    settings_row.refresh_from_db()
    assert (settings_row.enabled, settings_row.llm_model, str(settings_row.monthly_budget)) == (
        False,
        "small-model",
        "25.00",
    )
    assert (
        client.post(reverse("admin:ai_conversations_assistantsettings_delete", args=[settings_row.pk])).status_code
        == 403
    )
