"""`manage.py demo_data`: an admin, two demo salons with their owners, then each app's demo seed (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from analytics.dashboard import KPI_DAYS
from analytics.services import local_today, salon_stats_rollup
from devtools.demo import ai_conversations as ai_conversations_demo
from devtools.demo import bookings as bookings_demo
from devtools.demo import messaging as messaging_demo
from devtools.demo import salons as salons_demo
from salons.models import ChannelStatus, Membership, Role, Salon, User
from salons.tenancy import salon_scope

ADMIN_EMAIL = "admin@chairside.local"
DEMO_PASSWORD = "chairside-demo"  # a local demo only: printed on purpose

# Each app's demo seed (`devtools/demo/<app>.py`, `seed(*, salon, stdout)`), in dependency order. messaging (the
# approved booking templates) comes before bookings: the demo cancels bookings, and a cancellation sends a template.
SEEDS = (
    ("salons", salons_demo),
    ("messaging", messaging_demo),
    ("bookings", bookings_demo),
    ("ai_conversations", ai_conversations_demo),
)


@dataclass(frozen=True)
class DemoSalon:
    slug: str
    name: str
    timezone: str
    language: str
    phone_number_id: str
    waba_id: str
    display_phone_number: str
    owner_name: str

    @property
    def owner_email(self) -> str:
        return f"owner@{self.slug}.local"


# Studio Aurora matches the signed webhook fixtures in /work/shared/fixtures/whatsapp (phone_number_id, WABA id).
DEMO_SALONS = (
    # slug, name, time zone, language,
    #     WhatsApp phone_number_id, WABA id, display phone number, owner
    DemoSalon("studio-aurora", "Studio Aurora", "Europe/Berlin", "de",
              "106540352242922", "102290129340398", "15550783881", "Anna Aurora"),
    DemoSalon("salao-lisboa", "Salão Lisboa", "Europe/Lisbon", "pt",
              "106540352242933", "102290129340411", "15550783882", "Beatriz Lisboa"),
)  # fmt: skip


class Command(BaseCommand):
    help = "Create (or refresh) the demo admin, the demo salons and their owners, and every app's demo data."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            self._ensure_user(ADMIN_EMAIL, "Chairside Admin", superuser=True)
            salons = [self._ensure_salon(demo) for demo in DEMO_SALONS]
        for salon in salons:
            self._seed_apps(salon)
            self._roll_up(salon)

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  admin (superuser): {ADMIN_EMAIL} / {DEMO_PASSWORD}")
        for demo, salon in zip(DEMO_SALONS, salons, strict=True):
            self.stdout.write(
                f"  {salon.name} owner: {demo.owner_email} / {DEMO_PASSWORD}"
                f"  (salon id {salon.pk}, phone_number_id {salon.phone_number_id})"
            )

    def _ensure_user(self, email: str, full_name: str, *, superuser: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            return create(email=email, password=DEMO_PASSWORD, full_name=full_name, is_staff=True)
        # Re-running resets the demo password, so the printed credentials always work.
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_active = True
        user.is_superuser = user.is_superuser or superuser
        user.save(update_fields=["password", "is_staff", "is_active", "is_superuser"])
        return user

    def _ensure_salon(self, demo: DemoSalon) -> Salon:
        salon, created = Salon.objects.get_or_create(
            slug=demo.slug,
            defaults={
                "name": demo.name,
                "timezone": demo.timezone,
                "currency": "EUR",
                "language": demo.language,
                "phone_number_id": demo.phone_number_id,
                "waba_id": demo.waba_id,
                "display_phone_number": demo.display_phone_number,
                # Only ever sent to the fake Graph API of a local run.
                "whatsapp_access_token": f"demo-token-{demo.slug}",
                "channel_status": ChannelStatus.ACTIVE,
                "reminder_offsets_minutes": [24 * 60, 120],
            },
        )
        owner = self._ensure_user(demo.owner_email, demo.owner_name)
        with salon_scope(salon):
            Membership.objects.update_or_create(user=owner, defaults={"role": Role.OWNER})
        self.stdout.write(f"{'Created' if created else 'Found'} salon {salon.name}")
        return salon

    def _roll_up(self, salon: Salon) -> None:
        # The dashboard reads daily rollups: without them the demo's past weeks would count as nothing until the
        # beat's first run (and past days only ever get rolled up once, the night after).
        today = local_today(salon)
        for offset in range(KPI_DAYS - 1, -1, -1):
            salon_stats_rollup(salon=salon, day=today - timedelta(days=offset))
        self.stdout.write(f"  rolled up {KPI_DAYS} days of stats for {salon.name}")

    def _seed_apps(self, salon: Salon) -> None:
        for app, module in SEEDS:
            self.stdout.write(f"  seeding {app} for {salon.name}")
            with transaction.atomic(), salon_scope(salon):
                module.seed(salon=salon, stdout=self.stdout)
