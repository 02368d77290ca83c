"""The soak's load: signed inbound texts (each from a new customer, so each needs exactly one reply) and API bookings
(each in a slot of its own), at steady rates, retried as Meta and a well-behaved client retry: a webhook not answered
200 is delivered again, a booking that got no answer is tried again in the same slot (409 then means it committed)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from devtools.soak.target import Target
from webhooks.services import sign


def inbound_body(target: Target, *, sender: str, wamid: str, text: str = "Hi") -> bytes:
    message = {"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100", "phone_number_id": target.phone_number_id},
        "contacts": [{"profile": {"name": "Soak"}, "wa_id": sender}],
        "messages": [message],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": target.waba_id, "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


class Load:
    """Two sender threads; ``accepted`` wamids (answered 200, sender wa_id alongside) and ``booked`` ids (201)."""

    def __init__(self, target: Target, *, prefix: str, rate: float, booking_rate: float, first_slot: datetime) -> None:
        self.target, self.prefix = target, prefix
        self.rate, self.booking_rate = rate, booking_rate
        self.accepted: dict[str, str] = {}  # wamid -> sender
        self.booked: list[int] = []
        self.refused: Counter = Counter()
        self._retry: list[tuple[str, str]] = []
        self._slot = first_slot
        self._sending = threading.Event()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._sending.set()
        self._threads = [
            threading.Thread(target=self._webhooks, daemon=True),
            threading.Thread(target=self._bookings, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop_new(self) -> None:
        """No new messages or bookings; what is being retried still is."""
        self._sending.clear()

    def finish(self, timeout: float) -> None:
        """Wait (at most ``timeout``) until every refused delivery has been accepted, then stop the threads."""
        deadline = time.monotonic() + timeout
        while self._retry and time.monotonic() < deadline:
            time.sleep(0.2)
        self._stopped.set()
        for thread in self._threads:
            thread.join(timeout=30)

    # --- webhooks ---------------------------------------------------------------------------------------------------
    def _post_webhook(self, client: httpx.Client, wamid: str, sender: str) -> bool:
        body = inbound_body(self.target, sender=sender, wamid=wamid)
        headers = {
            "X-Hub-Signature-256": sign(body=body, secret=self.target.secret),
            "Content-Type": "application/json",
        }
        try:
            status = client.post(
                f"{self.target.base_url}/webhooks/whatsapp/", content=body, headers=headers
            ).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        if status == 200:
            self.accepted[wamid] = sender
            return True
        self.refused[f"webhook {status}"] += 1
        return False

    def _webhooks(self) -> None:
        n = 0
        with httpx.Client(timeout=10) as client:
            while not self._stopped.is_set():
                tick = time.monotonic()
                if self._retry:
                    wamid, sender = self._retry[0]
                    if self._post_webhook(client, wamid, sender):
                        self._retry.pop(0)
                    else:
                        time.sleep(0.5)  # Meta backs off too
                        continue
                elif self._sending.is_set():
                    n += 1
                    wamid, sender = f"wamid.{self.prefix}.{n:06d}", f"{self.prefix}{n:05d}"
                    if not self._post_webhook(client, wamid, sender):
                        self._retry.append((wamid, sender))
                else:
                    time.sleep(0.1)
                    continue
                time.sleep(max(1 / self.rate - (time.monotonic() - tick), 0))

    # --- bookings ---------------------------------------------------------------------------------------------------
    def _bookings(self) -> None:
        target = self.target
        url = f"{target.base_url}/api/v1/salons/{target.salon_id}/bookings/"
        headers = {"Authorization": f"Api-Key {target.api_key}"}
        n = 0
        with httpx.Client(timeout=10, headers=headers) as client:
            while not self._stopped.is_set() and self._sending.is_set():
                tick = time.monotonic()
                customer = target.customer_ids[n % len(target.customer_ids)]
                body = {
                    "customer": customer,
                    "service": target.service_id,
                    "staff": target.staff_id,
                    "starts_at": self._slot.isoformat(),
                }
                try:
                    response = client.post(url, json=body)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    response, status = None, type(exc).__name__
                if status == 201:
                    self.booked.append(response.json()["id"])
                if status in (201, 409, 400):  # 409: taken (an earlier try committed, or an old run): next slot
                    self._slot += timedelta(minutes=15)
                    n += 1
                    if status != 201:
                        self.refused[f"booking {status}"] += 1
                else:  # no answer or 503: the same slot again (the soak counts what was answered 201)
                    self.refused[f"booking {status}"] += 1
                    time.sleep(0.5)
                    continue
                time.sleep(max(1 / self.booking_rate - (time.monotonic() - tick), 0))


def first_free_slot(run: int) -> datetime:
    """A scenario's bookings start on days of their own (four per scenario: a full-length scenario books about a day
    and a half of 15-minute slots), so earlier scenarios and runs are not in the way."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=2 + 4 * (run % 800))
