"""manage.py bench_mixed: how many times the documents' daily volume, sent as one busy hour, the running stack takes.

    make run                                     # in one terminal: web, relay, worker, beat, the fake Graph API
    python manage.py bench_mixed                 # in another (the same environment, like fault_soak)
    python manage.py bench_mixed --multiples 1,2 --step-seconds 5

The mix (devtools/bench/mixed.py): per day for 1,000 salons, inbound texts and status webhooks, API bookings and API
reads (bookings list, availability, stats), sent open-loop to the fault soak's salon (devtools/soak/target.py) at
``multiple`` × the day's volume per hour, one step per multiple (default 1, 2, 4, 8, 16, 32; ``--step-seconds`` each).
A step passes when every class's p95 latency is under 100 ms, the webhook processing lag p95
(``processed_at - received_at`` of the step's ``webhooks.WebhookEvent`` rows; unprocessed ones count with their age)
is under 1 s and the sender held the schedule. Prints, for the last step that passed (max_multiple=0: none did),
``BENCH mixed max_multiple=<m> p95_webhook_ms=… p95_bookings_list_ms=… p95_availability_ms=… p95_stats_ms=…
p95_booking_create_ms=… lag_p95_s=…``. See bench/README.md.
"""

from __future__ import annotations

import logging
import os
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F, Max
from django.db.models.functions import Coalesce, Now

from devtools.bench.mixed import MixedStep, p95, schedule
from devtools.soak.target import soak_target
from messaging.models import Direction, Message
from salons.tenancy import all_salons
from webhooks.models import WebhookEvent

LATENCY_LIMIT_MS = 100.0
LAG_LIMIT_S = 1.0
CLASSES = ("webhook", "bookings_list", "availability", "stats", "booking_create")


def lag_p95(marker: int) -> float:
    """p95 of processed_at - received_at of the events after ``marker`` (unprocessed: their age now)."""
    lags = sorted(
        (row.total_seconds() if row else 0.0)
        for row in WebhookEvent.objects.filter(pk__gt=marker)
        .annotate(lag=Coalesce(F("processed_at"), Now()) - F("received_at"))
        .values_list("lag", flat=True)
    )
    return lags[max(int(len(lags) * 0.95) - 1, 0)] if lags else float("nan")


class Command(BaseCommand):
    help = "Mixed load (webhooks, bookings, API reads) on the running stack, stepped up; BENCH mixed line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--multiples", default="1,2,4,8,16,32", help="steps, × the daily volume per busy hour")
        parser.add_argument("--step-seconds", type=float, default=20.0, help="seconds of load per step (default 20)")
        parser.add_argument("--drain-seconds", type=float, default=30.0, help="wait for the relay after a step")
        parser.add_argument("--warmup-seconds", type=float, default=5.0, help="unmeasured 1x load first")
        parser.add_argument("--base-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--graph-url", default=os.environ.get("WHATSAPP_GRAPH_BASE_URL", "http://127.0.0.1:8001"))

    def handle(self, *args, **options) -> None:
        multiples = sorted(float(part) for part in options["multiples"].split(",") if part.strip())
        if not multiples or multiples[0] <= 0:
            raise CommandError("--multiples needs positive numbers")
        target = soak_target(base_url=options["base_url"], graph_url=options["graph_url"], customers=50)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
        run = random.randint(1, 799)
        # Warm-up, not measured: each web worker's first requests import code, connect and prepare statements (a
        # few hundred milliseconds each), which would be the p95 of a short, slow step's few reads.
        MixedStep(target, prefix=f"16{run:03d}00", run=run * 8 + 7, outbound=[]).run(
            schedule(1.0, options["warmup_seconds"])
        )
        self._drain(0, options["drain_seconds"])
        best: tuple[float, dict] = (0.0, {})
        for index, multiple in enumerate(multiples):
            result = self._step(target, multiple, run=run, index=index, options=options)
            if not result["passed"]:
                best = best if best[0] else (0.0, result)  # none passed: the first step's numbers
                break
            best = (multiple, result)
        multiple, r = best
        nan = float("nan")
        self.stdout.write(
            f"BENCH mixed max_multiple={multiple:g} "
            + " ".join(f"p95_{name}_ms={r.get(name, nan):.1f}" for name in CLASSES)
            + f" lag_p95_s={r.get('lag', nan):.3f}"
        )

    def _step(self, target, multiple: float, *, run: int, index: int, options: dict) -> dict:
        marker = WebhookEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        plan = schedule(multiple, options["step_seconds"])
        with all_salons():
            outbound = list(
                Message.all_salons.filter(salon_id=target.salon_id, direction=Direction.OUTBOUND)
                .filter(wamid__isnull=False)
                .exclude(wamid="")
                .order_by("-pk")
                .values_list("wamid", "customer__wa_id")[:5000]
            )
        step = MixedStep(target, prefix=f"17{run:03d}{index:02d}", run=run * 8 + index, outbound=outbound)
        on_time = step.run(plan)
        self._drain(marker, options["drain_seconds"])
        result = {
            "webhook": p95(step.latencies["webhook_text"] + step.latencies["webhook_status"]),
            **{name: p95(step.latencies[name]) for name in CLASSES[1:]},
            "lag": lag_p95(marker),
        }
        worst = max(value for name, value in result.items() if name != "lag")
        result["passed"] = (
            worst < LATENCY_LIMIT_MS and result["lag"] < LAG_LIMIT_S and on_time >= 0.95 and not step.errors
        )
        self.stderr.write(
            f"bench_mixed: multiple={multiple:g} requests={len(plan)} on_time={on_time:.2f} "
            + " ".join(f"{name}={value:.3f}" for name, value in result.items() if name != "passed")
            + f" errors={dict(step.errors)} passed={result['passed']}"
        )
        return result

    @staticmethod
    def _drain(marker: int, seconds: float) -> None:
        """Wait up to ``seconds`` for the relay to process the events after ``marker``."""
        events = WebhookEvent.objects.filter(pk__gt=marker, processed_at__isnull=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and events.exists():
            time.sleep(0.3)
