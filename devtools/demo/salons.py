"""Demo data of the salons app: a manager, a staff member and a viewer per salon, and a few customers (idempotent)."""

from __future__ import annotations

from salons.models import Customer, Membership, Role, Salon, User

DEMO_PASSWORD = "chairside-demo"  # a local demo only: printed on purpose
# Distinct per salon (the country code differs) so the two salons' customers never look alike.
CUSTOMERS = {
    "de": [("+4915112340001", "Lena Vogel", "de"), ("+4915112340002", "Jonas Weber", "de")],
    "pt": [("+351912340001", "Marta Silva", "pt"), ("+351912340002", "João Costa", "pt")],
}


def seed(*, salon: Salon, stdout) -> None:
    for role in (Role.MANAGER, Role.STAFF, Role.VIEWER):
        email = f"{role}@{salon.slug}.local"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=f"{role.label} {salon.name}", is_staff=True
        )
        Membership.objects.get_or_create(user=user, defaults={"role": role})
        stdout.write(f"    {role.label.lower()}: {email} / {DEMO_PASSWORD}")
    for phone, name, language in CUSTOMERS.get(salon.language, CUSTOMERS["de"]):
        Customer.objects.get_or_create(phone=phone, defaults={"name": name, "language": language})
