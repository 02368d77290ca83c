"""manage.py bench_outbound: send N messages through a real Celery worker to the fake Graph API with 1 and 4 worker
processes, against a bare HTTP client's rate at the same concurrency measured in the same run (the floor)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools.bench.outbound import run


class Command(BaseCommand):
    help = "Benchmark outbound sending (prints BENCH outbound rps=… floor_rps=… ratio=… workers=N per run)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=400)
        parser.add_argument("--workers", type=int, nargs="+", default=[1, 4], help="Worker processes, one run each")
        parser.add_argument("--numbers", type=int, default=8, help="Phone numbers (salons) the messages go to")
        parser.add_argument("--rate", type=int, default=settings.WHATSAPP_SEND_RATE_PER_SECOND, help="Per number/s")
        parser.add_argument(
            "--graph-latency-ms", type=float, nargs="+", default=[0.0, 100.0],
            help="The fake Graph API's time per send, one set of runs each: 0 measures our CPU cost alone; Meta's "
            "own is network plus 50-200 ms processing, so 100 is a conservative stand-in for production",
        )  # fmt: skip
        parser.add_argument("--timeout", type=float, default=180.0)

    def handle(self, *args, **options):
        results = run(
            count=options["count"],
            workers=options["workers"],
            latencies_ms=options["graph_latency_ms"],
            numbers=options["numbers"],
            rate=options["rate"],
            timeout=options["timeout"],
            stdout=self.stdout,
        )
        for r in results:
            self.stdout.write(
                f"BENCH outbound rps={r.rps:.1f} floor_rps={r.floor_rps:.1f} ratio={r.ratio:.2f} "
                f"workers={r.workers} graph_latency_ms={r.latency_ms:g} failed={r.failed}"
            )
        for latency in options["graph_latency_ms"]:
            runs = [r for r in results if r.latency_ms == latency]
            if len(runs) > 1 and runs[0].rps:
                self.stdout.write(
                    f"BENCH outbound scaling={runs[-1].rps / runs[0].rps:.2f} "
                    f"workers={runs[-1].workers}/{runs[0].workers} graph_latency_ms={latency:g}"
                )
