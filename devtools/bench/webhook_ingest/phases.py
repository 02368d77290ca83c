"""The ingest benchmark's measurements: throughput against the baselines, the processing lag at a steady rate, and
the row-level-security comparison."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.management.base import CommandError

from config.db.urls import sibling_database_url
from dbops.rls import set_enforced, tenant_tables
from dbops.roles import Roles, apply_roles
from devtools.bench.webhook_ingest import loadgen
from devtools.bench.webhook_ingest.payloads import (
    BASELINE_PATH,
    BENCH_SECRET,
    FLOOR_PATH,
    LUA_SCRIPT,
    WEBHOOK_PATH,
    bodies,
)


class IngestPhases:
    """Mixin of the command, on top of ``ScratchHarness``."""

    def _rls_compare(self) -> None:
        """The ingest as the app role (RLS applies only to roles that are not superusers): policies and the
        connection's settings on, then off; each mode in a fresh gunicorn."""
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
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
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
