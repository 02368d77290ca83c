"""`manage.py bench_queries --scale N`: time Chairside's reads against the seed's query forms on the bench database.

For each query, in one run on the same data (chairside_bench_s<N>, made by ``bench_seed``), prints
``BENCH <query> scale=<N> p50_ms=<ours> seed_form_p50_ms=<theirs> speedup=<ratio> queries=<count>``; when the
scale-1 database exists too (and N != 1), measures it in the same run and prints
``BENCH growth <query> p50_ratio_<N>_vs_1=<ratio>`` for the hot queries. Then drives the bookings list and stats
endpoints through gunicorn with wrk (or a Python keep-alive client) against a trivial authenticated endpoint:
``BENCH http_<endpoint> rps=<x> p99_ms=<y> baseline_rps=<z>``. See bench/README.md.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.benchforms import query_pairs, sample
from devtools.analytics_bench import bench
from salons.services import api_key_create

HOT = ("stats_uncached", "stats_cached", "bookings_page", "salon_lookup", "customer_history")
SAMPLE_SALONS = 10


class Command(BaseCommand):
    help = "Benchmark reads (ours vs the seed's query forms) and HTTP throughput on the scale-N bench database."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True)
        parser.add_argument("--iterations", type=int, default=200, help="Timed runs per query (ours)")
        parser.add_argument("--seed-budget", type=float, default=4.0, help="Seconds at most per seed-form query")
        parser.add_argument("--http-duration", type=float, default=10.0, help="Seconds per endpoint; 0 = skip")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
        parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")

    def handle(self, *args, **options):
        if os.environ.get(bench.CHILD_FLAG):
            return self._measure_here(options)
        scale = options["scale"]
        name = bench.bench_db_name(scale)
        if not bench.database_exists(name):
            raise CommandError(f"{name} does not exist: run `manage.py bench_seed --scale {scale}` first")
        runs = {scale: self._child(scale, options)}
        if scale != 1 and bench.database_exists(bench.bench_db_name(1)):
            runs[1] = self._child(1, options)
        mine = runs[scale]
        for query, row in mine["queries"].items():
            speedup = row["seed_p50_ms"] / row["p50_ms"] if row["p50_ms"] else float("inf")
            self.stdout.write(
                f"BENCH {query} scale={scale} p50_ms={row['p50_ms']:.3f} seed_form_p50_ms={row['seed_p50_ms']:.3f} "
                f"speedup={speedup:.1f} queries={row['queries']}"
            )
        if 1 in runs and scale != 1:
            for query in HOT:
                ratio = mine["queries"][query]["p50_ms"] / runs[1]["queries"][query]["p50_ms"]
                self.stdout.write(f"BENCH growth {query} p50_ratio_{scale}_vs_1={ratio:.2f}")
        if options["http_duration"] > 0:
            self._http(name, mine["http"], options)

    def _child(self, scale: int, options) -> dict:
        args = ["bench_queries", "--scale", str(scale), "--iterations", str(options["iterations"])]
        args += ["--seed-budget", str(options["seed_budget"])]
        results = bench.run_child(args, bench.child_env(bench.bench_db_name(scale)), stream=self.stderr)
        if not results:
            raise CommandError("the measuring child printed no result")
        return results[-1]

    # --- in the child: DATABASE_URL names the bench database ------------------------------------------------------
    def _measure_here(self, options) -> None:
        salons = sample(SAMPLE_SALONS)
        results = {}
        for name, ours, seed in query_pairs():
            results[name] = {
                **_timed(ours, salons, options["iterations"], budget=10.0),
                "seed_p50_ms": _timed(seed, salons, options["iterations"], budget=options["seed_budget"])["p50_ms"],
            }
            row = results[name]
            self.stderr.write(f"  {name}: ours {row['p50_ms']:.3f} ms, seed form {row['seed_p50_ms']:.3f} ms")
        bench.emit({"queries": results, "http": _http_fixture(salons[0])})

    # --- HTTP through gunicorn ----------------------------------------------------------------------------------------
    def _http(self, db_name: str, fixture: dict, options) -> None:
        use_wrk = options["loadgen"] == "wrk" or (options["loadgen"] == "auto" and shutil.which("wrk"))
        if options["loadgen"] == "wrk" and not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install -y wrk), or use --loadgen python")
        port = _free_port()
        tmp = Path(tempfile.mkdtemp(prefix="chairside-bench-"))
        env = bench.child_env(
            db_name,
            DJANGO_SETTINGS_MODULE="devtools.analytics_bench.bench_settings",
            THROTTLE_USER="100000000/min",  # the throttle still runs (a Redis round trip), it just never says 429
            PROMETHEUS_MULTIPROC_DIR=str(tmp),
            CELERY_BROKER_URL="memory://",
            GUNICORN_MAX_REQUESTS="0",
        )
        gunicorn_conf = Path(settings.BASE_DIR) / "webhooks" / "bench" / "gunicorn_conf.py"
        conf = gunicorn_conf if gunicorn_conf.exists() else Path(settings.BASE_DIR) / "gunicorn.conf.py"
        log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--config", str(conf), "--bind", f"127.0.0.1:{port}",
             "--workers", str(options["workers"]), "--log-level", "warning", "config.wsgi"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            _wait_healthy(port, tmp / "gunicorn.log")
            base = f"/api/v1/salons/{fixture['salon_id']}"
            headers = {"Authorization": f"Api-Key {fixture['api_key']}"}
            endpoints = {"baseline": f"{base}/bench-ping/", "bookings": f"{base}/bookings/", "stats": f"{base}/stats/"}
            drive = _wrk if use_wrk else _python_load
            for path in endpoints.values():  # warm up: imports, connections, the stats cache
                _check(port, path, headers)
                drive(port, path, headers, connections=options["connections"], duration=2.0)
            measured = {
                name: drive(port, path, headers, connections=options["connections"], duration=options["http_duration"])
                for name, path in endpoints.items()
            }
            for name in ("bookings", "stats"):
                row = measured[name]
                self.stdout.write(
                    f"BENCH http_{name} rps={row['rps']:.0f} p99_ms={row['p99_ms']:.1f} "
                    f"baseline_rps={measured['baseline']['rps']:.0f}"
                )
            self.stderr.write(
                f"  http: {options['workers']} sync workers, {options['connections']} connections, "
                f"{'wrk' if use_wrk else 'python'} load, {options['http_duration']:g} s per endpoint; "
                f"baseline p99 {measured['baseline']['p99_ms']:.1f} ms"
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log.close()
            shutil.rmtree(tmp, ignore_errors=True)


def _timed(fn: Callable, salons: list, iterations: int, *, budget: float) -> dict:
    for salon in salons:  # warm up (plans, caches) on every sampled salon
        fn(salon)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        fn(salons[0])
    timings = []
    deadline = time.perf_counter() + budget
    for i in range(iterations):
        salon = salons[i % len(salons)]
        started = time.perf_counter()
        fn(salon)
        timings.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline and len(timings) >= len(salons):
            break
    return {"p50_ms": statistics.median(timings), "queries": len(captured), "runs": len(timings)}


def _http_fixture(salon) -> dict:
    """A write-scope API key of the largest salon (its raw secret goes to the parent for the load generator)."""
    _, raw_key = api_key_create(salon=salon, name=f"bench {uuid.uuid4().hex[:6]}", scope="write")
    return {"salon_id": str(salon.pk), "api_key": raw_key}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise CommandError("gunicorn did not start:\n" + log.read_text()[-3000:])


def _check(port: int, path: str, headers: dict) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise CommandError(f"GET {path} answered {response.status}: {body[:300]!r}")


def _wrk(port: int, path: str, headers: dict, *, connections: int, duration: float) -> dict:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    command += ["--timeout", "5s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run(  # noqa: S603
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise CommandError(f"wrk saw errors on {path}:\n{output}")
    return {"rps": rps, "p99_ms": float(p99.group(1)) * factor}


def _python_load(port: int, path: str, headers: dict, *, connections: int, duration: float) -> dict:
    """A closed-loop keep-alive client: ``connections`` threads, each with one persistent HTTP/1.1 connection."""
    latencies: list[float] = []
    errors = []
    stop = time.perf_counter() + duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            mine.append((time.perf_counter() - started) * 1000)
        latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise CommandError(f"{len(errors)} non-200 answers on {path}")
    latencies.sort()
    return {"rps": len(latencies) / (time.perf_counter() - started), "p99_ms": latencies[int(len(latencies) * 0.99)]}
