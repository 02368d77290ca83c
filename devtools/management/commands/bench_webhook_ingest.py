"""Benchmark the webhook ingest under gunicorn against a bare insert-only baseline, then the processing lag.

Prints ``BENCH webhook_ingest rps=<x> p99_ms=<y> baseline_rps=<z> ratio=<x/z>`` (the baseline: a bare Django
insert-only view, Django's handler with no middleware), ``BENCH webhook_ingest_floor floor_rps=<f> ratio=<x/f>`` (the
same INSERT with no Django request handling at all; see webhooks/bench/wsgi.py) and
``BENCH webhook_lag events_per_s=<rate> p95_s=<w>``. Everything runs against a scratch database (created and
dropped here) on the same PostgreSQL server as the configured one; see docs/webhooks.md.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.db.urls import sibling_database_url
from devtools.bench.webhook_ingest import loadgen
from devtools.bench.webhook_ingest.views import BASELINE_TABLE
from webhooks.relay import plain_connection_params
from webhooks.services import sign

BENCH_SECRET = "bench-app-secret-" + uuid.uuid4().hex[:8]
PHONE_NUMBER_ID = "109999000000001"
WABA_ID = "209999000000001"
WEBHOOK_PATH = "/webhooks/whatsapp/"
BASELINE_PATH = "/bench/baseline-insert/"
FLOOR_PATH = "/bench/floor-insert/"
LUA_SCRIPT = Path(settings.BASE_DIR) / "bench" / "webhook_ingest.lua"
GUNICORN_CONF = Path(__file__).resolve().parents[2] / "bench" / "webhook_ingest" / "gunicorn_conf.py"
# The shape of a real inbound text webhook (compare webhooks/tests/fixtures/whatsapp/inbound_text.body).
BODY_TEMPLATE = (
    '{{"object":"whatsapp_business_account","entry":[{{"id":"{waba}","changes":[{{"value":{{"messaging_product":'
    '"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"{pnid}"}},"contacts":[{{'
    '"profile":{{"name":"Bench Customer {customer}"}},"wa_id":"{wa_id}"}}],"messages":[{{"from":"{wa_id}","id":'
    '"wamid.BENCH{run}{n:09d}","timestamp":"{ts}","type":"text","text":{{"body":"Hallo, haben Sie morgen um 15 Uhr '
    'einen Termin frei? Nachricht {n}"}}}}]}},"field":"messages"}}]}}]}}'
)


def _free_port() -> int:
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


class Command(BaseCommand):
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
        self.port = _free_port()
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

    # --- the scratch database and the child processes -----------------------------------------------------------
    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(**plain_connection_params(dbname="postgres"), autocommit=True)

    def _scratch(self) -> psycopg.Connection:
        return psycopg.connect(**plain_connection_params(dbname=self.db_name), autocommit=True)

    def _create_database(self) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self._log(f"scratch database {self.db_name}")

    def _drop_database(self) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def _child_env(self) -> dict:
        metrics_dir = self.tmp / "prometheus"
        metrics_dir.mkdir()
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="devtools.bench.webhook_ingest.settings",
            DEBUG="0",
            CHAIRSIDE_NO_EMBEDDED="1",
            DATABASE_URL=sibling_database_url(self.db_name),
            REDIS_URL=settings.REDIS_URL,
            SECRET_KEY="bench-" + uuid.uuid4().hex * 2,
            FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
            WHATSAPP_APP_SECRETS=BENCH_SECRET,
            WHATSAPP_VERIFY_TOKEN="bench-verify-" + uuid.uuid4().hex[:8],
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            WEBHOOKS_NOTIFY="1" if self.options["notify"] else "0",
            # The relays' assistant enqueues stay in-process: nothing is published to the real broker.
            CELERY_BROKER_URL="memory://",
            GUNICORN_MAX_REQUESTS=str(self.options["max_requests"]),
            PYTHONUNBUFFERED="1",
        )
        env.pop("TEST_DATABASE_NAME", None)
        return env

    def _manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CommandError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _prepare_database(self) -> None:
        self._manage(
            "shell",
            "-c",
            "from salons.models import Salon; Salon.objects.create(name='Bench salon', slug='bench-salon', "
            f"phone_number_id='{PHONE_NUMBER_ID}', waba_id='{WABA_ID}', channel_status='active')",
        )
        with self._scratch() as db:
            db.execute(
                f"CREATE TABLE {BASELINE_TABLE} (id bigserial PRIMARY KEY, body bytea NOT NULL, "
                "received_at timestamptz NOT NULL DEFAULT statement_timestamp())"
            )

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.tmp / log_name, "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603
            args, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def _start_gunicorn(self) -> None:
        o = self.options
        self._spawn(
            [
                sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(o["workers"]),
                *(["--worker-class", o["worker_class"]] if o["worker_class"] else []),
                "--backlog", "2048",
                "--log-level", "warning",
            ],
            "gunicorn.log",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise CommandError("gunicorn did not start:\n" + (self.tmp / "gunicorn.log").read_text()[-3000:])
        self._log(
            f"gunicorn (gunicorn.conf.py) on 127.0.0.1:{self.port}: {o['workers']} "
            f"{o['worker_class'] or os.environ.get('GUNICORN_WORKER_CLASS', 'gthread')} workers, "
            f"max_requests={o['max_requests']}, no access log; "
            f"load: {self.loadgen}, {self.connections} connections, notify={'on' if o['notify'] else 'off'}"
        )

    def _stop_processes(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _rls_compare(self) -> None:
        """The ingest as the app role (RLS applies only to roles that are not superusers): policies and the
        connection's settings on, then off; each mode in a fresh gunicorn."""
        from dbops.rls import set_enforced, tenant_tables
        from dbops.roles import Roles, apply_roles

        app = f"{self.db_name}_app"[:63]
        roles = Roles(owner=f"{self.db_name}_owner"[:63], app=app, passwords={app: "bench-" + BENCH_SECRET})
        with self._scratch() as db:
            apply_roles(db.cursor(), database=self.db_name, roles=roles)
        base = urlsplit(sibling_database_url(self.db_name))
        host = base.netloc.rsplit("@", 1)[-1]
        credentials = f"{quote(app, safe='')}:{quote(roles.passwords[app], safe='')}"
        app_url = urlunsplit(base._replace(netloc=f"{credentials}@{host}"))
        self.env["DATABASE_URL"] = app_url
        rps = {}
        for mode in ("on", "off"):
            with self._scratch() as db:
                set_enforced(db.cursor(), tenant_tables(), enforced=mode == "on")
            self.env["DB_ROW_LEVEL_SECURITY"] = "1" if mode == "on" else "0"
            self._start_gunicorn()
            try:
                self._measure_ingest()
                rps[mode] = self.last_ingest_rps
            finally:
                self._stop_processes()
                self.processes = []
        with self._scratch() as db:
            set_enforced(db.cursor(), tenant_tables(), enforced=True)
        self.stdout.write(
            f"BENCH webhook_ingest_rls on={rps['on']:.0f} off={rps['off']:.0f} ratio={rps['on'] / rps['off']:.3f}"
        )

    # --- phase 1: ingest throughput against the baseline ---------------------------------------------------------
    def _drive(self, path: str, lines: list[tuple[str, bytes]], duration: float) -> dict:
        if self.loadgen == "python":
            result = loadgen.closed_loop(
                host="127.0.0.1",
                port=self.port,
                path=path,
                lines=lines,
                connections=self.connections,
                duration=duration,
            )
            return {**result, "wrapped": result["requests"] > len(lines)}
        body_file = self.tmp / "bodies.txt"
        with body_file.open("wb") as out:
            for signature, body in lines:
                out.write(signature.encode() + b"\t" + body + b"\n")
        threads = min(2, self.connections)
        env = {**os.environ, "WEBHOOK_BENCH_BODIES": str(body_file), "WEBHOOK_BENCH_THREADS": str(threads)}
        command = [
            "wrk", f"-t{threads}", f"-c{self.connections}", f"-d{duration:g}s", "--timeout", "5s",
            "-s", str(LUA_SCRIPT), f"http://127.0.0.1:{self.port}{path}",
        ]  # fmt: skip
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
        line = next((x for x in output.splitlines() if x.startswith("WRKJSON ")), None)
        if line is None:
            raise CommandError(f"wrk gave no result:\n{output}")
        data = json.loads(line[len("WRKJSON ") :])
        errors = data["non_2xx"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
        seconds = data["duration_us"] / 1e6
        return {
            "requests": data["requests"],
            "rps": (data["requests"] - data["non_2xx"]) / seconds,
            "p99_ms": data["p99_us"] / 1000,
            "errors": errors,
            "wrapped": data["requests"] > len(lines) // threads * threads,
        }

    def _measure_ingest(self) -> None:
        o = self.options
        per_phase = int(o["duration"] * 6000)
        # Warm up each endpoint for 4 s (imports, connections, prepared statements, the tables' first pages): with
        # 2 s the first measured round still came out lower for all three, whichever went first.
        for path in (WEBHOOK_PATH, BASELINE_PATH, FLOOR_PATH):
            self._drive(path, bodies(4000, run="W"), 4.0)
        results: dict[str, list[dict]] = {"baseline": [], "floor": [], "webhook": []}
        phases = [("baseline", BASELINE_PATH), ("floor", FLOOR_PATH), ("webhook", WEBHOOK_PATH)]
        for round_ in range(o["rounds"]):
            lines = bodies(per_phase, run=f"R{round_}")
            # Each round in a different order: the VM's speed drifts, and no endpoint should always go first.
            for name, path in phases[round_ % 3 :] + phases[: round_ % 3]:
                result = self._drive(path, lines, o["duration"])
                results[name].append(result)
                self._log(
                    f"round {round_ + 1} {name}: rps={result['rps']:.0f} p99_ms={result['p99_ms']:.1f} "
                    f"requests={result['requests']} errors={result['errors']}"
                    + (" (bodies wrapped: some were duplicates)" if result["wrapped"] else "")
                )
        with self._scratch() as db:
            stored = db.execute("SELECT count(*) FROM webhooks_webhookevent").fetchone()[0]
        self._log(f"events stored: {stored}")

        def mean_rps(name: str) -> float:
            return sum(r["rps"] for r in results[name]) / len(results[name])

        rps, base, floor = mean_rps("webhook"), mean_rps("baseline"), mean_rps("floor")
        self.last_ingest_rps = rps
        p99 = max(r["p99_ms"] for r in results["webhook"])
        self.stdout.write(
            f"BENCH webhook_ingest rps={rps:.0f} p99_ms={p99:.1f} baseline_rps={base:.0f} ratio={rps / base:.2f}"
        )
        # The stricter comparison: the same INSERT with no Django request handling and no checks at all.
        self.stdout.write(f"BENCH webhook_ingest_floor floor_rps={floor:.0f} ratio={rps / floor:.2f}")

    # --- phase 2: processing lag at a steady rate ----------------------------------------------------------------
    def _measure_lag(self) -> None:
        o = self.options
        with self._scratch() as db:
            # The throughput phase's events are not part of this measurement: park them.
            db.execute("UPDATE webhooks_webhookevent SET status = 'ignored', next_attempt_at = NULL")
            marker = db.execute("SELECT coalesce(max(id), 0) FROM webhooks_webhookevent").fetchone()[0]
        for n in range(o["relays"]):
            self._spawn([sys.executable, "manage.py", "webhooks_relay"], f"relay{n}.log")
        time.sleep(3)  # relays up and listening
        lines = bodies(int(o["rate"] * o["lag_seconds"]), run="L")
        sent = loadgen.paced(host="127.0.0.1", port=self.port, path=WEBHOOK_PATH, lines=lines, rate=o["rate"])
        deadline = time.monotonic() + 120
        with self._scratch() as db:
            while time.monotonic() < deadline:
                pending = db.execute(
                    "SELECT count(*) FROM webhooks_webhookevent WHERE id > %s AND next_attempt_at IS NOT NULL",
                    [marker],
                ).fetchone()[0]
                if not pending:
                    break
                time.sleep(0.5)
            row = db.execute(
                """
                SELECT count(*),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)),
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)),
                       max(extract(epoch FROM processed_at - received_at))
                FROM webhooks_webhookevent WHERE id > %s AND processed_at IS NOT NULL
                """,
                [marker],
            ).fetchone()
            statuses = dict(
                db.execute(
                    "SELECT status, count(*) FROM webhooks_webhookevent WHERE id > %s GROUP BY status", [marker]
                ).fetchall()
            )
            messages = db.execute("SELECT count(*) FROM messaging_message").fetchone()[0]
        count, p50, p95, worst = row
        self._log(
            f"lag phase: sent={sent['sent']} errors={sent['errors']} achieved_rate={sent['achieved_rate']:.0f}/s "
            f"relays={o['relays']} statuses={statuses} messages={messages} "
            f"p50_s={float(p50 or 0):.3f} max_s={float(worst or 0):.3f} pending={pending}"
        )
        if not count:
            raise CommandError("no event was processed in the lag phase: see the relay logs (--keep-db to inspect)")
        self.stdout.write(f"BENCH webhook_lag events_per_s={o['rate']:g} p95_s={float(p95):.3f}")

    def _log(self, text: str) -> None:
        self.stderr.write(f"bench_webhook_ingest: {text}")
