"""The ingest benchmark's scratch database (a sibling of the configured one) and its child processes (gunicorn,
relays, ``manage.py`` runs), all pointed at it by their environment."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
import uuid

import psycopg
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import CommandError

from config.db.urls import sibling_database_url
from devtools.bench.webhook_ingest.payloads import BENCH_SECRET, GUNICORN_CONF, PHONE_NUMBER_ID, WABA_ID
from devtools.bench.webhook_ingest.views import BASELINE_TABLE
from webhooks.relay import plain_connection_params


class ScratchHarness:
    """Mixin of the command: needs ``options``, ``tmp``, ``db_name``, ``port``, ``loadgen``, ``connections``,
    ``processes`` and ``_log``."""

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
        result = subprocess.run(
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
        process = subprocess.Popen(
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
