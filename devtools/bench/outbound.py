"""Outbound throughput benchmark: N text messages through the real worker path (Celery ``outbound`` queue) to the
fake Graph API. Run it with ``python manage.py bench_outbound [--count N] [--concurrency C] [--rate R]``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from devtools.fake_graph import FakeGraphServer
from messaging.models import Conversation, Message, MessageStatus
from messaging.services import message_send_text
from salons.models import ChannelStatus, Customer, Salon
from salons.tenancy import salon_scope

BENCH_SLUG = "bench-outbound"


def bench_salon() -> tuple[Salon, Customer]:
    salon, _ = Salon.objects.update_or_create(
        slug=BENCH_SLUG,
        defaults={
            "name": "Bench Outbound",
            "phone_number_id": "999000111222333",
            "waba_id": "999000111222000",
            "whatsapp_access_token": "bench-token",
            "channel_status": ChannelStatus.ACTIVE,
        },
    )
    with salon_scope(salon):
        customer, _ = Customer.objects.get_or_create(phone="+4915199990000", defaults={"wa_id": "4915199990000"})
        now = timezone.now()
        Conversation.objects.update_or_create(
            customer=customer,
            defaults={"last_inbound_at": now, "window_expires_at": now + timedelta(hours=24)},
        )
    return salon, customer


def start_worker(base_url: str, concurrency: int, rate: int, pool: str = "prefork") -> subprocess.Popen:
    env = {**os.environ, "WHATSAPP_GRAPH_BASE_URL": base_url, "WHATSAPP_SEND_RATE_PER_SECOND": str(rate)}
    env.setdefault("DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "outbound", "--pool", pool,
        "--concurrency", str(concurrency), "--loglevel", os.environ.get("BENCH_LOGLEVEL", "WARNING"),
        "--without-gossip", "--without-mingle",
        "--hostname", f"bench-outbound-{os.getpid()}@%h",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)


def outbound_backlog() -> int:
    from config.celery import app

    with app.connection_for_write() as conn:
        try:
            return conn.default_channel.queue_declare("outbound", passive=True).message_count
        except Exception:  # no such queue yet: nothing waiting
            return 0


def wait_until_drained(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    time.sleep(2.0)
    while outbound_backlog() and time.monotonic() < deadline:
        time.sleep(0.2)


def run(*, count: int, concurrency: int, rate: int, timeout: float, stdout) -> tuple[float, int]:
    fake = FakeGraphServer(accept_unknown_tokens=True).start()
    salon, customer = bench_salon()
    worker = start_worker(fake.base_url, concurrency, rate)
    try:
        wait_until_drained(timeout=60)  # the worker is up and older leftovers are out of the way
        started = time.perf_counter()
        with salon_scope(salon), transaction.atomic():
            ids = [message_send_text(customer=customer, text=f"bench {i}").pk for i in range(count)]
        deadline = time.monotonic() + timeout
        pending = count
        while pending and time.monotonic() < deadline:
            time.sleep(0.05)
            pending = Message.all_salons.filter(
                pk__in=ids, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
            ).count()
        elapsed = time.perf_counter() - started
        done = Message.all_salons.filter(pk__in=ids, status=MessageStatus.SENT).count()
        failed = count - done
        stdout.write(f"sent {done}/{count} in {elapsed:.2f}s; fake server received {len(fake.sent)} sends")
        return done / elapsed, failed
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        fake.stop()
        Message.all_salons.filter(salon=salon).delete()
