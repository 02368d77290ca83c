"""Load generators of the ingest benchmark: a closed-loop Python fallback (when wrk is absent) and a paced sender.

The fallback runs one process per CPU, each with a few threads, each thread on one http.client connection (kept
alive when the server allows it; gunicorn's sync workers close it after every response, like behind a proxy).
Python spends far more CPU per request than wrk, on the same two cores as the server, so its numbers are lower.
"""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time


def _request(conn: http.client.HTTPConnection, path: str, signature: str, body: bytes) -> int:
    conn.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature, "X-Forwarded-Proto": "https"},
    )
    response = conn.getresponse()
    response.read()
    if response.getheader("Connection", "").lower() == "close":
        conn.close()
    return response.status


def _closed_loop_worker(args) -> tuple[int, int, list[float]]:
    host, port, path, lines, threads, duration = args
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine, local, i = lines[offset::threads], [], 0
        ok = errors = 0
        while time.monotonic() < deadline:
            signature, body = mine[i % len(mine)]
            i += 1
            started = time.perf_counter()
            try:
                status = _request(conn, path, signature, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                errors += 1
                continue
            local.append(time.perf_counter() - started)
            ok, errors = (ok + 1, errors) if status == 200 else (ok, errors + 1)
        with lock:
            latencies.extend(local)
            counts["ok"] += ok
            counts["errors"] += errors

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts["ok"], counts["errors"], latencies


def closed_loop(
    *, host: str, port: int, path: str, lines: list[tuple[str, bytes]], connections: int, duration: float
) -> dict:
    """Keep ``connections`` requests in flight for ``duration`` seconds; returns rps, p99 and error counts."""
    processes = max(1, min(multiprocessing.cpu_count(), connections))
    per_process = max(1, connections // processes)
    chunks = [lines[n::processes] for n in range(processes)]
    started = time.monotonic()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_closed_loop_worker, [(host, port, path, chunk, per_process, duration) for chunk in chunks])
    elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    return {"requests": ok + errors, "rps": ok / min(elapsed, duration + 1), "p99_ms": p99 * 1000, "errors": errors}


def paced(*, host: str, port: int, path: str, lines: list[tuple[str, bytes]], rate: float, senders: int = 8) -> dict:
    """Send ``lines`` at a steady ``rate`` per second (open loop: a slow answer does not slow the schedule)."""
    started = time.monotonic()
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        ok = errors = 0
        for index in range(offset, len(lines), senders):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            signature, body = lines[index]
            try:
                status = _request(conn, path, signature, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                errors += 1
                continue
            ok, errors = (ok + 1, errors) if status == 200 else (ok, errors + 1)
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    threads = [threading.Thread(target=run, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"sent": counts["ok"], "errors": counts["errors"], "achieved_rate": counts["ok"] / elapsed}
