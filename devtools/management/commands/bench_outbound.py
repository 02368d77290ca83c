"""manage.py bench_outbound: send N messages through a real Celery worker to the fake Graph API, print the rate."""

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools.bench.outbound import run


class Command(BaseCommand):
    help = "Benchmark outbound sending (prints BENCH outbound rps=<x> failed=<n>)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=500)
        parser.add_argument("--concurrency", type=int, default=8, help="Worker threads")
        parser.add_argument("--rate", type=int, default=settings.WHATSAPP_SEND_RATE_PER_SECOND, help="Per number/s")
        parser.add_argument("--timeout", type=float, default=120.0)

    def handle(self, *args, **options):
        rps, failed = run(
            count=options["count"],
            concurrency=options["concurrency"],
            rate=options["rate"],
            timeout=options["timeout"],
            stdout=self.stdout,
        )
        self.stdout.write(f"BENCH outbound rps={rps:.1f} failed={failed}")
