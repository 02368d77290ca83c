"""The admin's login form, throttled like the token endpoint: per client IP and per username (password guessing).

Both limits use DRF's cache-backed ``SimpleRateThrottle`` (Redis), so the client IP is read the same way as for the
API (``NUM_PROXIES``). A refused attempt is a form error that says when to try again; the password is not checked.
"""

from __future__ import annotations

import hashlib
import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from rest_framework.throttling import SimpleRateThrottle


class AdminLoginThrottle(SimpleRateThrottle):
    """One limit (``THROTTLE_ADMIN_LOGIN``) kept separately per ``kind`` ("ip" or "user") and identity."""

    scope = "admin_login"

    def __init__(self, kind: str, ident: str):
        super().__init__()
        self.kind, self.ident = kind, ident

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"{self.scope}_{self.kind}", "ident": self.ident}


def _username_ident(username: str) -> str:
    # Hashed: the cache key never holds an email address.
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many login attempts. Try again in %(seconds)d seconds.",
    }

    def clean(self):
        request = self.request
        if request is not None:
            username = self.data.get("username", "") or ""
            throttles = [AdminLoginThrottle("ip", "")]
            throttles[0].ident = throttles[0].get_ident(request)
            if username:
                throttles.append(AdminLoginThrottle("user", _username_ident(username)))
            for throttle in throttles:
                if not throttle.allow_request(request, None):
                    raise ValidationError(
                        self.error_messages["throttled"],
                        code="throttled",
                        params={"seconds": math.ceil(throttle.wait() or 1)},
                    )
        return super().clean()
