"""Outbound throughput benchmark: N text messages through the real worker path (Celery ``outbound`` queue) to the
fake Graph API, against a floor measured in the same run: the same requests sent by a bare httpx client at the same
concurrency to the same fake. Run it with ``python manage.py bench_outbound [--count N] [--workers 1 4]``.

The fake runs in a process of its own (its own interpreter lock), so that neither the floor nor the worker path
competes with the benchmark's polling for it. The messages go to ``--numbers`` phone numbers (salons), as a
reminder wave does, so that the per-number rate limit (Meta's 80/s) is not what is measured.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from config.celery import app
from messaging.models import Conversation, Message, MessageStatus
from messaging.services import message_send_text
from salons.models import ChannelStatus, Customer, Salon
from salons.tenancy import salon_scope

BENCH_SLUG = "bench-outbound"
TOKEN = "bench-token"  # the fake accepts any token


@dataclass(frozen=True)
class Result:
    workers: int
    latency_ms: float
    rps: float
    floor_rps: float
    failed: int

    @property
    def ratio(self) -> float:
        return self.rps / self.floor_rps if self.floor_rps else 0.0


def bench_salons(numbers: int) -> list[tuple[Salon, Customer]]:
    pairs = []
    for n in range(numbers):
        salon, _ = Salon.objects.update_or_create(
            slug=f"{BENCH_SLUG}-{n}",
            defaults={
                "name": f"Bench Outbound {n}",
                "phone_number_id": f"999000111{n:06d}",
                "waba_id": "999000111222000",
                "whatsapp_access_token": TOKEN,
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
        pairs.append((salon, customer))
    return pairs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_fake(latency_ms: float = 0.0) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    code = (
        "from devtools.fake_graph import FakeGraphServer; "
        f"FakeGraphServer(accept_unknown_tokens=True, port={port}, latency_seconds={latency_ms / 1000!r})"
        ".serve_forever()"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=settings.BASE_DIR)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/_fake/sent", timeout=1.0)
            return process, base_url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the fake Graph server did not start")


def start_worker(base_url: str, concurrency: int, rate: int, pool: str = "prefork") -> subprocess.Popen:
    env = {**os.environ, "WHATSAPP_GRAPH_BASE_URL": base_url, "WHATSAPP_SEND_RATE_PER_SECOND": str(rate)}
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "outbound", "--pool", pool,
        "--concurrency", str(concurrency), "--loglevel", os.environ.get("BENCH_LOGLEVEL", "WARNING"),
        "--without-gossip", "--without-mingle",
        "--hostname", f"bench-outbound-{os.getpid()}-{concurrency}@%h",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def purge_outbound() -> None:
    """Drop leftovers of an aborted run, so that the worker measures only this run's messages."""
    with app.connection_for_write() as conn, contextlib.suppress(Exception):  # no such queue yet: nothing to drop
        conn.default_channel.queue_purge("outbound")


def measure_floor(base_url: str, requests: list[tuple[str, dict]], concurrency: int) -> float:
    """The same POSTs by a bare httpx client with ``concurrency`` threads: requests per second."""
    client = httpx.Client(limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
    version = settings.WHATSAPP_GRAPH_API_VERSION
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def post(item: tuple[str, dict]) -> None:
        phone_number_id, body = item
        client.post(f"{base_url}/{version}/{phone_number_id}/messages", json=body, headers=headers).raise_for_status()

    with client, ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(post, requests[: concurrency * 2]))  # warm the connections
        started = time.perf_counter()
        list(pool.map(post, requests))
        return len(requests) / (time.perf_counter() - started)


def enqueue(pairs, count: int) -> tuple[list[int], list[tuple[str, dict]]]:
    """``count`` text messages spread over the salons, queued and published as the services do it."""
    ids, requests = [], []
    for n, (salon, customer) in enumerate(pairs):
        share = count // len(pairs) + (1 if n < count % len(pairs) else 0)
        with salon_scope(salon), transaction.atomic():
            for i in range(share):
                message = message_send_text(salon=salon, customer=customer, text=f"bench {i}")
                ids.append(message.pk)
                requests.append((salon.phone_number_id, message.body))
    return ids, requests


def measure_workers(
    *, pairs, base_url: str, latency_ms: float, count: int, workers: int, rate: int, timeout: float, stdout
) -> Result:
    """The messages are queued before the worker starts; the rate is taken from the rows' own times (first claim
    to last sent), so neither the worker's start-up nor this process's enqueueing is measured."""
    purge_outbound()
    ids, requests = enqueue(pairs, count)
    worker = start_worker(base_url, workers, rate)
    try:
        deadline = time.monotonic() + timeout
        pending = count
        while pending and time.monotonic() < deadline:
            time.sleep(0.2)
            pending = Message.all_salons.filter(
                pk__in=ids, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
            ).count()
    finally:
        stop(worker)
    rows = Message.all_salons.filter(pk__in=ids, status=MessageStatus.SENT)
    span = rows.aggregate(first=Min("sending_at"), last=Max("sent_at"))
    done = rows.count()
    elapsed = (span["last"] - span["first"]).total_seconds() if done else float("inf")
    floor = measure_floor(base_url, requests, workers)
    stdout.write(f"workers={workers}: sent {done}/{count} in {elapsed:.2f}s; floor {floor:.1f}/s")
    return Result(workers=workers, latency_ms=latency_ms, rps=done / elapsed, floor_rps=floor, failed=count - done)


def run(
    *, count: int, workers: list[int], latencies_ms: list[float], numbers: int, rate: int, timeout: float, stdout
) -> list[Result]:
    """One run per (Graph API latency, worker processes); each latency gets a fake of its own."""
    pairs = bench_salons(numbers)
    results = []
    try:
        for latency_ms in latencies_ms:
            fake, base_url = start_fake(latency_ms)
            try:
                for n in workers:
                    results.append(
                        measure_workers(
                            pairs=pairs, base_url=base_url, latency_ms=latency_ms, count=count, workers=n,
                            rate=rate, timeout=timeout, stdout=stdout,
                        )
                    )  # fmt: skip
            finally:
                stop(fake)
    finally:
        Message.all_salons.filter(salon__slug__startswith=BENCH_SLUG).delete()
    return results
