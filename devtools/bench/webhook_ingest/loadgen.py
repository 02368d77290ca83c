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


def _post(conn: http.client.HTTPConnection, path: str, signature: str, body: bytes) -> bool:
    """One signed POST; True for a 200. A broken connection is closed (http.client reopens it on the next request)."""
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": signature,
                "X-Forwarded-Proto": "https",
            },
        )
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        return False
    if response.getheader("Connection", "").lower() == "close":
        conn.close()
    return response.status == 200


class _Tally:
    """Counts (and latencies) merged from several sender threads."""

    def __init__(self) -> None:
        self.ok, self.errors, self.latencies = 0, 0, []
        self._lock = threading.Lock()

    def add(self, ok: int, errors: int, latencies: list[float]) -> None:
        with self._lock:
            self.ok, self.errors = self.ok + ok, self.errors + errors
            self.latencies.extend(latencies)


def _in_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _closed_loop_worker(args) -> tuple[int, int, list[float]]:
    host, port, path, lines, threads, duration = args
    tally = _Tally()
    deadline = time.monotonic() + duration

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        mine, latencies, ok, sent = lines[offset::threads], [], 0, 0
        while time.monotonic() < deadline:
            signature, body = mine[sent % len(mine)]
            sent += 1
            started = time.perf_counter()
            if _post(conn, path, signature, body):
                ok += 1
                latencies.append(time.perf_counter() - started)
        tally.add(ok, sent - ok, latencies)

    _in_threads(run, threads)
    return tally.ok, tally.errors, tally.latencies


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
    tally = _Tally()

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        ok = sent = 0
        for index in range(offset, len(lines), senders):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent += 1
            ok += _post(conn, path, *lines[index])
        tally.add(ok, sent - ok, [])

    _in_threads(run, senders)
    return {"sent": tally.ok, "errors": tally.errors, "achieved_rate": tally.ok / (time.monotonic() - started)}
