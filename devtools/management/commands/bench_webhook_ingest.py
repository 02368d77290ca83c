"""Benchmark the webhook ingest under gunicorn against a bare insert-only baseline, then the processing lag.

Prints ``BENCH webhook_ingest rps=<x> p99_ms=<y> baseline_rps=<z> ratio=<x/z>`` (the baseline: a bare Django
insert-only view, Django's handler with no middleware), ``BENCH webhook_ingest_floor floor_rps=<f> ratio=<x/f>`` (the
same INSERT with no Django request handling at all; see devtools/bench/webhook_ingest/wsgi.py) and
``BENCH webhook_lag events_per_s=<rate> p95_s=<w>``. Everything runs against a scratch database (created and
dropped here) on the same PostgreSQL server as the configured one; see docs/webhooks.md. The pieces live in
``devtools/bench/webhook_ingest/`` (payloads, the scratch harness, the phases).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench.webhook_ingest.harness import ScratchHarness
from devtools.bench.webhook_ingest.payloads import free_port
from devtools.bench.webhook_ingest.phases import IngestPhases


class Command(IngestPhases, ScratchHarness, BaseCommand):
    help = "Benchmark the WhatsApp webhook ingest (gunicorn, signed POSTs, baseline in the same run) and the lag."

    def add_arguments(self, parser):
        cores = os.cpu_count() or 1
        parser.add_argument("--duration", type=float, default=6.0, help="Seconds per measured phase (default 6).")
        parser.add_argument(
            "--rounds", type=int, default=3, help="Rounds of baseline, floor and webhook, each in another order (3)."
        )
        # Measured on 2 cores: cores+1 sync workers (3) beat 2×cores+1 (5): 1448 vs 1145 rps (wrk and PG share them).
        parser.add_argument("--workers", type=int, default=cores + 1, help="gunicorn workers (default cores+1).")
        parser.add_argument(
            "--worker-class", default="", help="gunicorn worker class (default: gunicorn.conf.py's, gthread)."
        )
        parser.add_argument("--connections", type=int, default=0, help="Concurrent connections (default 2×workers).")
        parser.add_argument(
            "--max-requests",
            type=int,
            default=0,
            help="gunicorn max_requests (default 0 = never recycle; gunicorn.conf.py's 2000 recycles every worker "
            "every few seconds at these rates, and each recycle is a full Django start without preload_app).",
        )
        parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
        parser.add_argument("--notify", action="store_true", help="Ingest with pg_notify (WEBHOOKS_NOTIFY=1).")
        parser.add_argument("--rate", type=float, default=200.0, help="Events per second in the lag phase.")
        parser.add_argument("--lag-seconds", type=float, default=10.0, help="Length of the lag phase (default 10).")
        parser.add_argument("--relays", type=int, default=2, help="Relay processes in the lag phase (default 2).")
        parser.add_argument("--skip-lag", action="store_true")
        parser.add_argument("--skip-ingest", action="store_true", help="Only the lag phase.")
        parser.add_argument("--keep-db", action="store_true", help="Keep the scratch database for inspection.")
        parser.add_argument(
            "--rls-compare",
            action="store_true",
            help="Only the ingest, as the app role, with row-level security on and then off "
            "(BENCH webhook_ingest_rls on=<rps> off=<rps> ratio=<on/off>).",
        )

    def handle(self, *args, **options):
        self.options = options
        self.processes: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="bench_webhook_"))
        self.db_name = f"{connection.settings_dict['NAME']}_bench_webhook"[:63]
        self.port = free_port()
        use_wrk = options["loadgen"] == "wrk" or (options["loadgen"] == "auto" and shutil.which("wrk"))
        if options["loadgen"] == "wrk" and not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install -y wrk), or use --loadgen python")
        self.loadgen = "wrk" if use_wrk else "python"
        self.connections = options["connections"] or 2 * options["workers"]
        try:
            self._create_database()
            self.env = self._child_env()
            self._manage("migrate", "--noinput", "-v", "0")
            self._prepare_database()
            if options["rls_compare"]:
                self._rls_compare()
                return
            self._start_gunicorn()
            if not options["skip_ingest"]:
                self._measure_ingest()
            if not options["skip_lag"]:
                self._measure_lag()
        finally:
            self._stop_processes()
            if not options["keep_db"]:
                self._drop_database()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _log(self, text: str) -> None:
        self.stderr.write(f"bench_webhook_ingest: {text}")
