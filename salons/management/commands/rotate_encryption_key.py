"""`manage.py rotate_encryption_key`: re-encrypt every encrypted field with the newest FIELD_ENCRYPTION_KEYS key."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from salons.crypto import EncryptedTextField, InvalidToken


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (e.g. salons' WhatsApp tokens) with the first key of FIELD_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            names = [f.name for f in fields]
            # Crosses tenants on purpose: an operator task over every row.
            rows = model._base_manager.only("pk", *names).order_by("pk")
            count = 0
            try:
                for row in rows.iterator(chunk_size=500):
                    values = {name: getattr(row, name) for name in names if getattr(row, name) is not None}
                    if values:
                        with transaction.atomic():
                            # Saving the decrypted Secret encrypts it again with the newest key.
                            model._base_manager.filter(pk=row.pk).update(**values)
                        count += 1
            except InvalidToken as exc:
                raise CommandError(f"{exc} (is an old key missing from FIELD_ENCRYPTION_KEYS?)") from None
            total += count
            self.stdout.write(f"{model._meta.label}: re-encrypted {count} row(s) ({', '.join(names)})")
        self.stdout.write(f"done: {total} row(s)")
