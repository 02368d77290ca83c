"""The mixed benchmark's load: the documents' daily mix for 1,000 salons, compressed into one busy hour, times a
multiple, sent open-loop (a slow answer does not slow the schedule) to a running stack, with per-class latencies.

Per day (docs): 150k webhook events, 100k messages, 10k bookings, 50k AI conversations. Modelled as: 50k inbound
texts, each from a new customer (each opens an AI conversation, whose reply is an outbound message), 100k status
webhooks (the messages' sent/delivered/read), 10k API bookings, and API reads: 10k bookings lists, 10k availability
queries and 5k stats reads (the documents give no read volume: one list and one availability query per booking).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import defaultdict
from datetime import timedelta

import httpx

from devtools.soak.load import first_free_slot, inbound_body
from devtools.soak.target import Target
from webhooks.services import sign

PER_DAY = {
    "webhook_text": 50_000,
    "webhook_status": 100_000,
    "booking_create": 10_000,
    "bookings_list": 10_000,
    "availability": 10_000,
    "stats": 5_000,
}
BUSY_HOUR_S = 3600.0


def status_body(target: Target, *, wamid: str, recipient: str) -> bytes:
    status = {"id": wamid, "status": "delivered", "timestamp": str(int(time.time())), "recipient_id": recipient}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100", "phone_number_id": target.phone_number_id},
        "statuses": [status],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": target.waba_id, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def schedule(multiple: float, seconds: float) -> list[tuple[float, str]]:
    """(offset in seconds, class) of every request of one step, evenly spread per class, merged in time order."""
    plan = []
    for kind, per_day in PER_DAY.items():
        rate = per_day * multiple / BUSY_HOUR_S
        count = int(rate * seconds)
        plan.extend((n / rate, kind) for n in range(count))
    return sorted(plan)


class MixedStep:
    """One step: every request of ``schedule`` sent on time by ``senders`` threads; latencies (ms) per class."""

    def __init__(
        self, target: Target, *, prefix: str, run: int, outbound: list[tuple[str, str]], senders: int = 16
    ) -> None:
        """``outbound``: (wamid, recipient) of sent messages, for the status webhooks (a status for a wamid not
        stored is retried by the relay for a while, as for Meta's out-of-order deliveries: not the lag to measure)."""
        self.target, self.prefix, self.senders, self.outbound = target, prefix, senders, outbound
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._counter = 0
        self._slot = first_free_slot(run)
        self._day = self._slot.date()

    def run(self, plan: list[tuple[float, str]]) -> float:
        """Send the plan; returns the achieved share of the schedule (1.0: every request went out on time)."""
        work: queue.Queue = queue.Queue()
        for item in plan:
            work.put(item)
        started = time.monotonic()
        late = [0]

        def sender() -> None:
            headers = {"Authorization": f"Api-Key {self.target.api_key}"}
            with httpx.Client(timeout=10, headers=headers) as client:
                while True:
                    try:
                        offset, kind = work.get_nowait()
                    except queue.Empty:
                        return
                    delay = started + offset - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    elif delay < -1:
                        with self._lock:
                            late[0] += 1
                    self._send(client, kind)

        threads = [threading.Thread(target=sender, daemon=True) for _ in range(self.senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return 1 - late[0] / max(len(plan), 1)

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def _send(self, client: httpx.Client, kind: str) -> None:
        t = self.target
        api = f"{t.base_url}/api/v1/salons/{t.salon_id}"
        n = self._next()
        ok = (200,)
        if kind.startswith("webhook"):
            sender = f"{self.prefix}{n:06d}"
            wamid = f"wamid.{self.prefix}.{n:07d}"
            if kind == "webhook_text" or not self.outbound:
                body = inbound_body(t, sender=sender, wamid=wamid)
            else:
                out_wamid, recipient = self.outbound[n % len(self.outbound)]
                body = status_body(t, wamid=out_wamid, recipient=recipient)
            headers = {"X-Hub-Signature-256": sign(body=body, secret=t.secret), "Content-Type": "application/json"}
            request = ("POST", f"{t.base_url}/webhooks/whatsapp/", {"content": body, "headers": headers})
        elif kind == "booking_create":
            with self._lock:
                slot, self._slot = self._slot, self._slot + timedelta(minutes=15)
            body = {
                "customer": t.customer_ids[n % len(t.customer_ids)],
                "service": t.service_id,
                "staff": t.staff_id,
                "starts_at": slot.isoformat(),
            }
            request, ok = ("POST", f"{api}/bookings/", {"json": body}), (201,)
        elif kind == "bookings_list":
            request = ("GET", f"{api}/bookings/", {})
        elif kind == "availability":
            params = {"service": t.service_id, "from": self._day.isoformat(), "to": self._day.isoformat()}
            request = ("GET", f"{api}/availability/", {"params": params})
        else:
            request = ("GET", f"{api}/stats/", {})
        method, url, kwargs = request
        began = time.perf_counter()
        try:
            status = client.request(method, url, **kwargs).status_code
        except httpx.HTTPError:
            status = 0
        elapsed = (time.perf_counter() - began) * 1000
        with self._lock:
            if status in ok:
                self.latencies[kind].append(elapsed)
            else:
                self.errors[f"{kind} {status}"] += 1


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]
