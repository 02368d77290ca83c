"""REST API of the salons app: login (JWT), me, my salons, salon settings, members, API keys and customers."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from salons import selectors, services
from salons.authentication import ApiKeyPrincipal
from salons.models import ApiKey, ApiKeyScope, Customer, Invitation, Membership, Role, Salon, normalize_phone
from salons.tenancy.api import API_KEY_ROLE, SalonScopedAPIView, SalonScopedViewSet, request_person


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


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


class SalonOutputSerializer(serializers.ModelSerializer):
    has_access_token = serializers.SerializerMethodField()

    class Meta:
        model = Salon
        fields = [
            "id",
            "name",
            "slug",
            "timezone",
            "currency",
            "language",
            "address",
            "is_active",
            "slot_step_minutes",
            "min_notice_minutes",
            "booking_horizon_days",
            "cancellation_notice_hours",
            "reminder_offsets_minutes",
            "quiet_hours_start",
            "quiet_hours_end",
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
            "name",
            "slug",
            "timezone",
            "currency",
            "language",
            "address",
            "slot_step_minutes",
            "min_notice_minutes",
            "booking_horizon_days",
            "cancellation_notice_hours",
            "reminder_offsets_minutes",
            "quiet_hours_start",
            "quiet_hours_end",
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


# --- members ---------------------------------------------------------------------------------------------------


class _OwnersViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Owner-only resources (members, API keys): reading them is owners' business too."""

    read_role = Role.OWNER
    write_role = Role.OWNER
    pagination_class = Pagination


class MemberOutputSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    user_id = serializers.IntegerField()

    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "full_name", "role", "created_at"]


class MemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=["pending", "accepted", "revoked", "expired"], read_only=True)
    invited_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]


@extend_schema_view(
    create=extend_schema(
        request=MemberCreateSerializer,
        responses={201: InvitationOutputSerializer},
        description=(
            "Invites a person by email: a single-use link is emailed to them and the membership starts when they "
            "accept it (`POST /api/v1/invitations/accept/`). The answer is the same whether the email has an "
            "account or not. 409 `already_member` if they already belong to this salon."
        ),
    ),
    partial_update=extend_schema(request=MemberUpdateSerializer, responses=MemberOutputSerializer),
    destroy=extend_schema(responses={204: None}),
)
class MemberViewSet(_OwnersViewSet):
    """People of the salon and their roles (owners only). New people are invited, never added directly."""

    model = Membership
    serializer_class = MemberOutputSerializer

    def scope_queryset(self, queryset):
        return queryset.select_related("user").order_by("user__email")

    def create(self, request, salon_id):
        data = MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(
            salon=self.salon, invited_by=request_person(request), **data.validated_data
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_change_role(membership=self.get_object(), role=data.validated_data["role"])
        return Response(MemberOutputSerializer(membership).data)

    def destroy(self, request, salon_id, pk):
        services.member_remove(membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(destroy=extend_schema(responses={204: None}, description="Revokes the invitation's link."))
class InvitationViewSet(_OwnersViewSet):
    """Invitations of the salon (owners only): list them and revoke open ones. Create them with `POST members/`."""

    model = Invitation
    serializer_class = InvitationOutputSerializer
    http_method_names = ["get", "delete", "options", "head"]

    def scope_queryset(self, queryset):
        return queryset.select_related("invited_by").order_by("-created_at")

    def destroy(self, request, salon_id, pk):
        services.invitation_revoke(invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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


# --- API keys --------------------------------------------------------------------------------------------------


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = ApiKey
        fields = [
            *("id", "name", "prefix", "scope", "is_active"),
            *("created_by", "created_at", "last_used_at", "revoked_at"),
        ]


class ApiKeyCreatedSerializer(ApiKeyOutputSerializer):
    key = serializers.CharField(help_text="The secret, shown only in this response. Send it as `Api-Key <key>`.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=ApiKeyScope.choices, default=ApiKeyScope.READ)


@extend_schema_view(
    create=extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer}),
    revoke=extend_schema(request=None, responses=ApiKeyOutputSerializer),
)
class ApiKeyViewSet(_OwnersViewSet):
    """Server-to-server keys of the salon (owners only). The secret is shown once, at creation."""

    model = ApiKey
    serializer_class = ApiKeyOutputSerializer

    def scope_queryset(self, queryset):
        return queryset.select_related("created_by").order_by("-created_at")

    def create(self, request, salon_id):
        data = ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        creator = None if isinstance(request.user, ApiKeyPrincipal) else request.user
        api_key, raw_key = services.api_key_create(salon=self.salon, created_by=creator, **data.validated_data)
        api_key.key = raw_key
        return Response(ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, salon_id, pk):
        api_key = services.api_key_revoke(api_key=self.get_object())
        return Response(ApiKeyOutputSerializer(api_key).data)


# --- customers -------------------------------------------------------------------------------------------------


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Name or phone contains"))
    opted_out = django_filters.BooleanFilter(field_name="opted_out_at", lookup_expr="isnull", exclude=True)
    created = django_filters.IsoDateTimeFromToRangeFilter(field_name="created_at")

    class Meta:
        model = Customer
        fields = ["language", "search", "opted_out", "created"]

    def filter_search(self, queryset, name, value):
        return selectors.customer_search(queryset, value)


class CustomerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "phone",
            "wa_id",
            "bsuid",
            "username",
            "name",
            "language",
            "marketing_consent_at",
            "marketing_consent_withdrawn_at",
            "opted_out_at",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CustomerInputSerializer(serializers.ModelSerializer):
    wa_id = serializers.RegexField(r"^\d{5,20}$", required=False, allow_blank=True)

    class Meta:
        model = Customer
        fields = [
            "phone",
            "wa_id",
            "name",
            "language",
            "marketing_consent_at",
            "marketing_consent_withdrawn_at",
            "opted_out_at",
            "notes",
        ]
        # A customer staff add is reached by phone; WhatsApp users known only by BSUID come in by webhook.
        extra_kwargs = {"phone": {"required": True, "allow_blank": False}}

    def validate_phone(self, value: str) -> str:
        try:
            return normalize_phone(value)
        except Exception as exc:  # django ValidationError -> a field error
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])[0]) from None


@extend_schema_view(
    create=extend_schema(request=CustomerInputSerializer, responses={201: CustomerOutputSerializer}),
    partial_update=extend_schema(request=CustomerInputSerializer, responses=CustomerOutputSerializer),
    destroy=extend_schema(responses={204: OpenApiResponse(description="Deleted")}),
)
class CustomerViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """The salon's customers: search by name or phone (`?search=`), filter, page."""

    model = Customer
    serializer_class = CustomerOutputSerializer
    pagination_class = Pagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = CustomerFilter
    ordering_fields = ["name", "phone", "created_at"]
    ordering = ["name", "phone"]

    def create(self, request, salon_id):
        data = CustomerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(salon=self.salon, **data.validated_data)
        return Response(CustomerOutputSerializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, salon_id, pk):
        customer = self.get_object()
        data = CustomerInputSerializer(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = services.customer_update(customer=customer, data=dict(data.validated_data))
        return Response(CustomerOutputSerializer(customer).data)

    def destroy(self, request, salon_id, pk):
        services.customer_delete(customer=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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
