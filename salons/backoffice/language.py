"""The admin in the person's language: the one they chose (a cookie set by the header's language switch), else the
language of their salons (when they share one), else the browser's; en, de, es or pt (``settings.LANGUAGES``).
Django's own admin strings come translated by Django; Chairside's from ``localization``'s catalog."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from salons.models import Salon
from salons.tenancy.admin import member_salon_ids
from salons.tenancy.admin_time import AdminPagesMiddleware

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def salons_language(request) -> str | None:
    """The language all the user's salons speak, else None (one small query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    salons = Salon.objects.all() if user.is_superuser else Salon.objects.filter(pk__in=member_salon_ids(request))
    languages = list(salons.order_by().values_list("language", flat=True).distinct()[:2])
    return languages[0] if len(languages) == 1 and languages[0] in SUPPORTED else None


def admin_language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in SUPPORTED:
        return chosen
    return salons_language(request) or translation.get_language_from_request(request) or settings.LANGUAGE_CODE


class AdminLanguageMiddleware(AdminPagesMiddleware):
    """Activates the admin's language for admin pages (after authentication: the salons' language needs the user)."""

    def admin_page(self, request):
        language = admin_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # a TemplateResponse renders after the view: inside the language, not after it
        response.headers.setdefault("Content-Language", language)
        return response


def language_view(request):
    """POST ``language`` (en, de, es, pt): remembered in the language cookie; back to ``next``."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("admin:index")
    response = HttpResponseRedirect(target)
    language = request.POST.get("language", "")
    if language in SUPPORTED:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE, httponly=True,
        )  # fmt: skip
    return response
