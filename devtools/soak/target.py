"""The soak's own salon on the running stack: a WhatsApp number the fake Graph API knows, a service and a stylist
free around the clock (so that every booking the soak makes has a slot of its own), a write API key, customers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from ai_conversations.models import AssistantSettings
from bookings.models import Service, StaffMember, StaffService, WorkingHours
from salons.models import ApiKeyScope, ChannelStatus, Customer, Salon
from salons.services import api_key_create
from salons.tenancy import salon_scope

SLUG = "fault-soak"


@dataclass(frozen=True)
class Target:
    salon_id: str
    phone_number_id: str
    waba_id: str
    api_key: str
    service_id: int
    staff_id: int
    customer_ids: list[int]
    secret: str
    base_url: str
    graph_url: str


@transaction.atomic
def soak_target(*, base_url: str, graph_url: str, customers: int) -> Target:
    """The soak salon (created once, reused), a fresh API key and at least ``customers`` booking customers."""
    salon, _ = Salon.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Fault soak",
            "timezone": "UTC",
            "currency": "EUR",
            "language": "en",
            "phone_number_id": "109900000000001",
            "waba_id": "109900000000002",
            "display_phone_number": "+1 555 0100",
            "whatsapp_access_token": f"soak-token-{secrets.token_hex(8)}",
            "channel_status": ChannelStatus.ACTIVE,
            "min_notice_minutes": 0,
            "booking_horizon_days": 3650,
        },
    )
    with salon_scope(salon):
        # Replies stay the assistant's however long an outage lasts: the soak counts answers, not handoffs.
        AssistantSettings.objects.update_or_create(salon=salon, defaults={"reply_max_delay_minutes": 24 * 60})
        service, _ = Service.objects.get_or_create(
            name="Soak cut", defaults={"duration_minutes": 15, "price": Decimal("10.00")}
        )
        staff, created = StaffMember.objects.get_or_create(name="Soak stylist")
        if created:
            StaffService.objects.create(staff=staff, service=service)
            for weekday in range(7):
                WorkingHours.objects.create(staff=staff, weekday=weekday, start_time=time(0), end_time=time(23, 45))
        existing = list(Customer.objects.filter(phone__startswith="+1555").order_by("pk").values_list("pk", flat=True))
        for n in range(len(existing), customers):
            existing.append(Customer.objects.create(phone=f"+1555{n:07d}", name=f"Soak customer {n}").pk)
    _, raw_key = api_key_create(salon=salon, name=f"fault soak {secrets.token_hex(3)}", scope=ApiKeyScope.WRITE)
    return Target(
        salon_id=str(salon.pk),
        phone_number_id=salon.phone_number_id,
        waba_id=salon.waba_id,
        api_key=raw_key,
        service_id=service.pk,
        staff_id=staff.pk,
        customer_ids=existing[:customers],
        secret=settings.WHATSAPP_APP_SECRETS[0],
        base_url=base_url.rstrip("/"),
        graph_url=graph_url.rstrip("/"),
    )
