"""What the ingest benchmark POSTs: signed inbound-text webhook bodies for one bench salon, and its paths."""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path

from django.conf import settings

from webhooks.services import sign

BENCH_SECRET = "bench-app-secret-" + uuid.uuid4().hex[:8]
PHONE_NUMBER_ID = "109999000000001"
WABA_ID = "209999000000001"
WEBHOOK_PATH = "/webhooks/whatsapp/"
BASELINE_PATH = "/bench/baseline-insert/"
FLOOR_PATH = "/bench/floor-insert/"
LUA_SCRIPT = Path(settings.BASE_DIR) / "bench" / "webhook_ingest.lua"
GUNICORN_CONF = Path(__file__).resolve().parent / "gunicorn_conf.py"
# The shape of a real inbound text webhook (compare webhooks/tests/fixtures/whatsapp/inbound_text.body).
BODY_TEMPLATE = (
    '{{"object":"whatsapp_business_account","entry":[{{"id":"{waba}","changes":[{{"value":{{"messaging_product":'
    '"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"{pnid}"}},"contacts":[{{'
    '"profile":{{"name":"Bench Customer {customer}"}},"wa_id":"{wa_id}"}}],"messages":[{{"from":"{wa_id}","id":'
    '"wamid.BENCH{run}{n:09d}","timestamp":"{ts}","type":"text","text":{{"body":"Hallo, haben Sie morgen um 15 Uhr '
    'einen Termin frei? Nachricht {n}"}}}}]}},"field":"messages"}}]}}]}}'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bodies(count: int, *, run: str, customers: int = 50) -> list[tuple[str, bytes]]:
    """``count`` distinct signed bodies (unique wamids) from ``customers`` people."""
    now = str(int(time.time()))
    lines = []
    for n in range(count):
        customer = n % customers
        body = BODY_TEMPLATE.format(
            waba=WABA_ID, pnid=PHONE_NUMBER_ID, customer=customer, wa_id=f"4915110{customer:06d}", run=run, n=n, ts=now
        ).encode()
        lines.append((sign(body=body, secret=BENCH_SECRET), body))
    return lines
