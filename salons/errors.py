"""Domain errors of the salons app (members, invitations, customers); the API turns them into 4xx answers."""

from __future__ import annotations

from config.api import Conflict, DomainError


class LastOwner(Conflict, code="last_owner"): ...


class AlreadyMember(Conflict, code="already_member"): ...


class DuplicateCustomer(Conflict, code="duplicate_customer"): ...


class InvalidInput(DomainError, code="invalid"): ...


class InvalidInvitation(DomainError, code="invalid_invitation"): ...


class InvitationNeedsLogin(DomainError, code="login_required"):
    status_code = 403
