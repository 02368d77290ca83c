"""manage.py fake_whatsapp --port 8001 [--callback URL]: run the fake WhatsApp Cloud API for local use."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools.fake_graph import FakeGraphServer


def _salon_token(object_id: str) -> tuple[str, str] | None:
    """Tokens come from the salons themselves (by phone number id or WABA id), so the demo needs no setup."""
    from django.db import close_old_connections
    from django.db.models import Q

    from salons.models import Salon

    close_old_connections()
    salon = Salon.objects.filter(Q(phone_number_id=object_id) | Q(waba_id=object_id)).first()
    if salon is None or not salon.whatsapp_access_token:
        return None
    return salon.whatsapp_access_token.reveal(), salon.waba_id


class Command(BaseCommand):
    help = "Run a fake WhatsApp Cloud API (Graph API) that sends signed status webhooks to --callback."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument(
            "--callback", default="", help="Where to POST status webhooks (e.g. our /webhooks/whatsapp/)"
        )
        parser.add_argument("--app-secret", default="", help="Signs the webhooks; default WHATSAPP_APP_SECRETS[0]")
        parser.add_argument("--statuses", default="sent,delivered,read")
        parser.add_argument("--delay", type=float, default=0.5, help="Seconds before each status webhook")
        parser.add_argument("--duplicates", action="store_true")
        parser.add_argument("--reorder", action="store_true")
        parser.add_argument("--skip-delivered", action="store_true")
        parser.add_argument("--accept-any-token", action="store_true")
        parser.add_argument("--auto-approve-templates", action="store_true")

    def handle(self, *args, **options):
        server = FakeGraphServer(
            host=options["host"],
            port=options["port"],
            callback_url=options["callback"] or None,
            app_secret=options["app_secret"] or settings.WHATSAPP_APP_SECRETS[0],
            accept_unknown_tokens=options["accept_any_token"],
            token_lookup=_salon_token,
        )
        server.set_plan(
            statuses=[s for s in options["statuses"].split(",") if s],
            delay=options["delay"],
            duplicates=options["duplicates"],
            reorder=options["reorder"],
            skip_delivered=options["skip_delivered"],
        )
        server.state.auto_approve_templates = options["auto_approve_templates"]
        self.stdout.write(f"fake WhatsApp Cloud API on {server.base_url} (webhooks to {options['callback'] or '-'})")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
