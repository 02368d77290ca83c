"""Shared bits of the salons commands: find a salon by id or slug."""

from __future__ import annotations

import uuid

from django.core.management.base import CommandError

from salons.models import Salon


def salon_from_arg(value: str) -> Salon:
    try:
        lookup = {"pk": uuid.UUID(value)}
    except ValueError:
        lookup = {"slug": value}
    salon = Salon.objects.defer("whatsapp_access_token").filter(**lookup).first()
    if salon is None:
        raise CommandError(f"No salon with id or slug {value!r}.")
    return salon
