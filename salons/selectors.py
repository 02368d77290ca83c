"""Reads of the salons app: the caller's salons, members, API keys and customer search."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from salons.models import ApiKey, Customer, Membership, Salon, User


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """A person's memberships across salons (crosses tenants on purpose: it answers "which salons are mine")."""
    return (
        Membership.all_salons.filter(user=user, salon__is_active=True).select_related("salon").order_by("salon__name")
    )


def salons_of_api_key(*, api_key: ApiKey) -> QuerySet[Salon]:
    return Salon.objects.filter(pk=api_key.salon_id, is_active=True)


def customer_search(queryset: QuerySet[Customer], term: str) -> QuerySet[Customer]:
    """Customers whose name or WhatsApp username contains ``term`` or whose phone contains its digits (``+49 151``
    finds ``+49151…``)."""
    term = term.strip()
    if not term:
        return queryset
    condition = Q(name__icontains=term) | Q(username__icontains=term.lstrip("@"))
    digits = re.sub(r"\D", "", term)
    if len(digits) >= 3:
        condition |= Q(phone__contains=digits) | Q(wa_id__contains=digits)
    return queryset.filter(condition)
