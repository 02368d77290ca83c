"""REST API of the salons app for the caller: login (JWT), me, my salons, the salon's settings, accepting an invite."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from salons import selectors, services
from salons.authentication import ApiKeyPrincipal
from salons.models import ApiKeyScope, Role, Salon
from salons.tenancy.api import API_KEY_ROLE, SalonScopedAPIView, request_person

# --- authentication --------------------------------------------------------------------------------------------


class AuthTokenThrottle(SimpleRateThrottle):
    """The login endpoint's stricter limit, per client IP (password guessing)."""

    scope = "auth_token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenObtainView(TokenObtainPairView):
    """Email + password -> an access token and a refresh token."""

    throttle_classes = [AuthTokenThrottle]


class TokenRefreshRotateView(TokenRefreshView):
    """A refresh token -> a new access token and a new refresh token; the old refresh token is blacklisted."""


class LogoutView(TokenBlacklistView):
    """Blacklists the given refresh token (access tokens expire on their own within minutes)."""


# --- me and my salons ------------------------------------------------------------------------------------------


class MySalonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()
    timezone = serializers.CharField()
    currency = serializers.CharField()
    role = serializers.CharField()


def _my_salons(principal) -> list[dict]:
    if isinstance(principal, ApiKeyPrincipal):
        role = API_KEY_ROLE[ApiKeyScope(principal.api_key.scope)]
        pairs = [(salon, role) for salon in selectors.salons_of_api_key(api_key=principal.api_key)]
    else:
        pairs = [(m.salon, m.role) for m in selectors.memberships_of_user(user=principal)]
    return [
        {
            "id": s.pk,
            "name": s.name,
            "slug": s.slug,
            "timezone": s.timezone,
            "currency": s.currency,
            "role": str(role),
        }
        for s, role in pairs
    ]


class MeView(GenericAPIView):
    """The person behind the token and their salons with roles."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        salons = MySalonSerializer(many=True)

    serializer_class = OutputSerializer

    def get(self, request):
        if isinstance(request.user, ApiKeyPrincipal):
            raise exceptions.PermissionDenied("An API key is not a person; GET /api/v1/salons/ lists its salon.")
        user = request.user
        data = {"id": user.pk, "email": user.email, "full_name": user.full_name, "salons": _my_salons(user)}
        return Response(self.OutputSerializer(data).data)


class MySalonsView(GenericAPIView):
    """The salons the caller belongs to (for an API key: its salon)."""

    serializer_class = MySalonSerializer
    pagination_class = None
    queryset = Salon.objects.none()  # for the schema only; rows come from selectors

    @extend_schema(responses=MySalonSerializer(many=True))
    def get(self, request):
        return Response(MySalonSerializer(_my_salons(request.user), many=True).data)


# --- the salon itself ------------------------------------------------------------------------------------------


# Who and where the salon is: read and written by the salon settings.
SALON_PROFILE_FIELDS = ("name", "slug", "timezone", "currency", "language", "address")


class SalonOutputSerializer(serializers.ModelSerializer):
    has_access_token = serializers.SerializerMethodField()

    class Meta:
        model = Salon
        fields = [
            "id",
            *SALON_PROFILE_FIELDS,
            "is_active",
            *services.BOOKING_RULE_FIELDS,
            "phone_number_id",
            "waba_id",
            "display_phone_number",
            "channel_status",
            "has_access_token",
            "whatsapp_cost_total",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_access_token(self, salon: Salon) -> bool:
        return bool(salon.whatsapp_access_token)


class SalonUpdateSerializer(serializers.ModelSerializer):
    access_token = serializers.CharField(
        write_only=True, required=False, trim_whitespace=True, help_text="A new WhatsApp access token (owners)."
    )

    class Meta:
        model = Salon
        fields = [
            *SALON_PROFILE_FIELDS,
            *services.BOOKING_RULE_FIELDS,
            "phone_number_id",
            "waba_id",
            "display_phone_number",
            "access_token",
        ]


class SalonDetailView(SalonScopedAPIView):
    """The salon's settings. Managers edit them; the WhatsApp channel and its token are for owners."""

    write_role = Role.MANAGER
    http_method_names = ["get", "patch", "options", "head"]
    serializer_class = SalonOutputSerializer

    def get_object(self):
        return self.salon

    def get(self, request, salon_id):
        return Response(SalonOutputSerializer(self.salon).data)

    @extend_schema(request=SalonUpdateSerializer, responses=SalonOutputSerializer)
    def patch(self, request, salon_id):
        serializer = SalonUpdateSerializer(self.salon, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if services.CHANNEL_FIELDS & data.keys() and not self.caller_has_role(Role.OWNER):
            raise exceptions.PermissionDenied("Only owners change the WhatsApp channel and its credentials.")
        salon = services.salon_update(salon=self.salon, data=data)
        return Response(SalonOutputSerializer(salon).data)


# --- accepting an invitation ----------------------------------------------------------------------------------


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, trim_whitespace=True)
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=128,
        style={"input_type": "password"},
        help_text="The new account's password (when the invited email has no account yet).",
    )
    full_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)


class InvitationAcceptedSerializer(serializers.Serializer):
    salon = MySalonSerializer()
    email = serializers.EmailField()


class InvitationAcceptView(GenericAPIView):
    """Accept an invitation with the token from its link. A person with an account sends their Bearer token; a new
    person sends a password (and a name), and the account is created now. 400 `invalid_invitation` for an unknown,
    used, revoked or expired token; 403 `login_required` when the invited email has an account and the caller is
    not logged in as it."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthTokenThrottle]
    serializer_class = InvitationAcceptSerializer

    @extend_schema(
        request=InvitationAcceptSerializer,
        responses={
            201: InvitationAcceptedSerializer,
            400: OpenApiResponse(
                description="`invalid_invitation` (unknown, used, revoked or expired) or a weak password"
            ),
            403: OpenApiResponse(description="`login_required`: log in as the invited email's account first"),
        },
    )
    def post(self, request):
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.invitation_accept(user=request_person(request), **data.validated_data)
        salon = membership.salon
        answer = {
            "salon": {
                "id": salon.pk,
                "name": salon.name,
                "slug": salon.slug,
                "timezone": salon.timezone,
                "currency": salon.currency,
                "role": membership.role,
            },
            "email": membership.user.email,
        }
        return Response(InvitationAcceptedSerializer(answer).data, status=status.HTTP_201_CREATED)
