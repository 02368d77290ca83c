"""API routes of the salons app: account routes (auth, me, my salons, accepting an invitation) and tenant routes."""

from django.urls import path

from salons import api
from salons.tenancy.api import view_set_urls

# Routes that are not under a salon: /api/v1/auth/..., /api/v1/me/, /api/v1/salons/ (the salons I belong to).
account_patterns: list = [
    path("auth/token/", api.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", api.TokenRefreshRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("me/", api.MeView.as_view(), name="me"),
    path("salons/", api.MySalonsView.as_view(), name="salon-list"),
    path("invitations/accept/", api.InvitationAcceptView.as_view(), name="invitation-accept"),
]

# Routes under /api/v1/salons/<uuid:salon_id>/ (mounted by config.api_urls).
salon_patterns: list = [
    path("", api.SalonDetailView.as_view(), name="salon-detail"),
    *view_set_urls(
        {
            "members": api.MemberViewSet,
            "invitations": api.InvitationViewSet,
            "api-keys": api.ApiKeyViewSet,
            "customers": api.CustomerViewSet,
        }
    ),
]
