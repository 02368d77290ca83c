"""REST API of who works in a salon: members, invitations (and accepting one), API keys."""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.mixins import DestroyModelMixin, ListModelMixin, RetrieveModelMixin
from rest_framework.response import Response

from salons import services
from salons.models import ApiKey, ApiKeyScope, Invitation, Membership, Role
from salons.tenancy.api import SalonScopedViewSet, request_person

# --- members ---------------------------------------------------------------------------------------------------


class _OwnersViewSet(ListModelMixin, RetrieveModelMixin, SalonScopedViewSet):
    """Owner-only resources (members, invitations, API keys): reading them is owners' business too. Each is listed
    with the person it is about or was made by (``person``), in ``order``."""

    read_role = Role.OWNER
    write_role = Role.OWNER
    person: ClassVar[str]
    order: ClassVar[str]

    def scope_queryset(self, queryset):
        return queryset.select_related(self.person).order_by(self.order)


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
class MemberViewSet(DestroyModelMixin, _OwnersViewSet):
    """People of the salon and their roles (owners only). New people are invited, never added directly."""

    model = Membership
    serializer_class = MemberOutputSerializer
    person = "user"
    order = "user__email"

    def create(self, request, salon_id):
        data = self.valid_input(MemberCreateSerializer)
        invitation, _token = services.invitation_create(salon=self.salon, invited_by=request_person(request), **data)
        return self.created(InvitationOutputSerializer(invitation).data)

    def partial_update(self, request, salon_id, pk):
        role = self.valid_input(MemberUpdateSerializer)["role"]
        return Response(
            MemberOutputSerializer(services.member_change_role(membership=self.get_object(), role=role)).data
        )

    def perform_destroy(self, instance):
        services.member_remove(membership=instance)


@extend_schema_view(destroy=extend_schema(responses={204: None}, description="Revokes the invitation's link."))
class InvitationViewSet(DestroyModelMixin, _OwnersViewSet):
    """Invitations of the salon (owners only): list them and revoke open ones. Create them with `POST members/`."""

    model = Invitation
    serializer_class = InvitationOutputSerializer
    http_method_names = ["get", "delete", "options", "head"]
    person = "invited_by"
    order = "-created_at"

    def perform_destroy(self, instance):
        services.invitation_revoke(invitation=instance)


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
    person = "created_by"
    order = "-created_at"

    def create(self, request, salon_id):
        api_key, raw_key = services.api_key_create(
            salon=self.salon, created_by=request_person(request), **self.valid_input(ApiKeyCreateSerializer)
        )
        api_key.key = raw_key
        return self.created(ApiKeyCreatedSerializer(api_key).data)

    @action(detail=True, methods=["post"])
    def revoke(self, request, salon_id, pk):
        api_key = services.api_key_revoke(api_key=self.get_object())
        return Response(ApiKeyOutputSerializer(api_key).data)
