"""REST API of the salons app, by concern: the caller's account, the salon's members and keys, its customers.

``salons.urls`` routes the views exported here.
"""

from salons.api.account import (
    InvitationAcceptView,
    LogoutView,
    MeView,
    MySalonsView,
    SalonDetailView,
    TokenObtainView,
    TokenRefreshRotateView,
)
from salons.api.customers import CustomerViewSet
from salons.api.members import ApiKeyViewSet, InvitationViewSet, MemberViewSet

__all__ = [
    "ApiKeyViewSet",
    "CustomerViewSet",
    "InvitationAcceptView",
    "InvitationViewSet",
    "LogoutView",
    "MeView",
    "MemberViewSet",
    "MySalonsView",
    "SalonDetailView",
    "TokenObtainView",
    "TokenRefreshRotateView",
]
