"""manage.py bench_capacity: the highest steady webhook event rate the relays keep up with (processing lag p95 < 1 s).

For 1 and for 2 relay processes (``manage.py webhooks_relay``, as Procfile.dev runs it) the rate steps up (default
50, 100, 200, 400, 800, 1600 events/s for 10 s each) against gunicorn on a scratch database (the ingest benchmark's
harness, ``devtools/bench/webhook_ingest/``: created and dropped here). The lag of an event is
``processed_at - received_at`` of its ``webhooks.WebhookEvent`` row (an event not processed within the drain time
counts with its age at the end). The stepping stops at the first rate whose p95 is 1 s or more; each relay count
prints ``BENCH capacity relays=<n> max_rate=<events/s> lag_p95_s=<p95 at that rate>`` (max_rate=0: not even the
first step). See bench/README.md.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench.webhook_ingest import loadgen
from devtools.bench.webhook_ingest.harness import ScratchHarness
from devtools.bench.webhook_ingest.payloads import WEBHOOK_PATH, bodies, free_port

LAG_LIMIT_S = 1.0

LAG_SQL = """
SELECT count(*),
       percentile_cont(0.95) WITHIN GROUP (
           ORDER BY extract(epoch FROM coalesce(processed_at, clock_timestamp()) - received_at))
FROM webhooks_webhookevent WHERE id > %s
"""


def _csv(text: str, kind=int) -> list:
    return [kind(part) for part in text.split(",") if part.strip()]


class Command(ScratchHarness, BaseCommand):
    help = "Highest steady webhook event rate with processing lag p95 < 1 s, for 1 and 2 relays (scratch database)."

    def add_arguments(self, parser) -> None:
        cores = os.cpu_count() or 1
        parser.add_argument("--rates", default="50,100,200,400,800,1600", help="events/s steps, comma-separated")
        parser.add_argument("--step-seconds", type=float, default=10.0, help="seconds of load per step (default 10)")
        parser.add_argument("--relays", default="1,2", help="relay counts to measure, comma-separated (default 1,2)")
        parser.add_argument("--drain-seconds", type=float, default=30.0, help="wait for the backlog after a step")
        parser.add_argument("--workers", type=int, default=cores + 1, help="gunicorn workers (default cores+1)")
        parser.add_argument("--keep-db", action="store_true", help="keep the scratch database for inspection")

    def handle(self, *args, **options) -> None:
        rates, relay_counts = _csv(options["rates"], float), _csv(options["relays"])
        if not rates or not relay_counts or min(rates) <= 0 or min(relay_counts) <= 0:
            raise CommandError("--rates and --relays need positive numbers")
        # What the ingest harness reads from ``options``: the default gunicorn and notify settings.
        self.options = {**options, "notify": True, "max_requests": 0, "worker_class": ""}
        self.processes: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="bench_capacity_"))
        self.db_name = f"{connection.settings_dict['NAME']}_bench_capacity"[:63]
        self.port = free_port()
        self.loadgen, self.connections = "python (paced)", 8
        try:
            self._create_database()
            self.env = self._child_env()
            self._manage("migrate", "--noinput", "-v", "0")
            self._prepare_database()
            self._start_gunicorn()
            for relays in relay_counts:
                max_rate, lag = self._capacity(relays, sorted(rates))
                self.stdout.write(f"BENCH capacity relays={relays} max_rate={max_rate:g} lag_p95_s={lag:.3f}")
                self.stdout.flush()
        finally:
            self._stop_processes()
            if not options["keep_db"]:
                self._drop_database()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _capacity(self, relays: int, rates: list[float]) -> tuple[float, float]:
        """Step the rate up with ``relays`` relays running; the last rate under the limit and its p95."""
        self._park()
        spawned = [
            self._spawn([sys.executable, "manage.py", "webhooks_relay"], f"relay{relays}_{n}.log")
            for n in range(relays)
        ]
        time.sleep(3)  # relays up and listening
        best, best_lag = 0.0, 0.0
        try:
            for step, rate in enumerate(rates):
                lag = self._step(relays, step, rate)
                if lag >= LAG_LIMIT_S:
                    break
                best, best_lag = rate, lag
        finally:
            self._stop(spawned)
        return best, best_lag

    def _step(self, relays: int, step: int, rate: float) -> float:
        o = self.options
        with self._scratch() as db:
            marker = db.execute("SELECT coalesce(max(id), 0) FROM webhooks_webhookevent").fetchone()[0]
        lines = bodies(max(int(rate * o["step_seconds"]), 1), run=f"C{relays}S{step}", customers=200)
        sent = loadgen.paced(host="127.0.0.1", port=self.port, path=WEBHOOK_PATH, lines=lines, rate=rate)
        deadline = time.monotonic() + o["drain_seconds"]
        with self._scratch() as db:
            while time.monotonic() < deadline:
                pending = db.execute(
                    "SELECT count(*) FROM webhooks_webhookevent WHERE id > %s AND processed_at IS NULL", [marker]
                ).fetchone()[0]
                if not pending:
                    break
                time.sleep(0.3)
            count, p95 = db.execute(LAG_SQL, [marker]).fetchone()
        if not count:
            raise CommandError(f"no event was stored at {rate:g}/s: see gunicorn.log (--keep-db to inspect)")
        self._log(
            f"relays={relays} rate={rate:g}/s sent={sent['sent']} errors={sent['errors']} "
            f"achieved={sent['achieved_rate']:.0f}/s stored={count} pending={pending} p95_s={float(p95):.3f}"
        )
        if sent["achieved_rate"] < 0.8 * rate:  # the sender (or the ingest) could not hold the rate: not sustained
            return max(float(p95), LAG_LIMIT_S)
        return float(p95)

    def _park(self) -> None:
        """A previous relay count's backlog is not this one's to work through."""
        with self._scratch() as db:
            db.execute(
                "UPDATE webhooks_webhookevent SET status = 'ignored', next_attempt_at = NULL WHERE processed_at IS NULL"
            )

    def _stop(self, spawned: list[subprocess.Popen]) -> None:
        for process in spawned:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in spawned:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            self.processes.remove(process)

    def _log(self, text: str) -> None:
        self.stderr.write(f"bench_capacity: {text}")
