"""The page behind an invitation link: the invited person sees the salon and role and accepts (choosing a password
when they have no account yet); then they are in the admin as a member. The API has the same (``invitation-accept``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from config.api import DomainError
from salons import services
from salons.tenancy.api import request_person


class NewAccountForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label="Your name")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned


@never_cache
@csrf_protect
@sensitive_post_parameters("password1", "password2")
def invitation_accept_page(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as exc:
        return TemplateResponse(request, "salons/invitation_accept.html", {"error": exc.message}, status=404)
    new_account = services.invitation_needs_account(invitation)
    user = request_person(request)
    form = NewAccountForm(request.POST or None) if new_account else None
    error = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = services.invitation_accept(
                token=token,
                user=user,
                password=form.cleaned_data["password1"] if form else None,
                full_name=form.cleaned_data["full_name"] if form else "",
            )
        except DomainError as exc:
            error = exc.message
            if form is not None and exc.field == "password":
                form.add_error("password1", exc.message)
                error = ""
        else:
            if user is None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(reverse("admin:index"))
    context = {
        "invitation": invitation,
        "salon": invitation.salon,
        "form": form,
        "error": error,
        "logged_in_as_invitee": user is not None and user.email.lower() == invitation.email,
        "login_url": reverse("admin:login") + "?" + urlencode({"next": request.path}),
        "password_help": password_validators_help_text_html(),
    }
    return TemplateResponse(request, "salons/invitation_accept.html", context)
