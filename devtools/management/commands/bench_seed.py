"""`manage.py bench_seed --scale N`: (re)create the bench database chairside_bench_s<N> with realistic data.

Migrates it, loads the rows with COPY (plain indexes rebuilt afterwards under their migration names), stores the daily
rollups, then checks a sample of stored rollups against ``salon_stats_compute`` on the loaded rows. See bench/README.md.
"""

from __future__ import annotations

import os
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from analytics.models import SalonDailyStats
from analytics.services import METRIC_FIELDS, salon_stats_compute
from devtools.analytics_bench import bench
from devtools.analytics_bench.benchdata import load
from salons.models import Salon


class Command(BaseCommand):
    help = "Create chairside_bench_s<N> (dropped first if it exists) and load scale-N bench data into it."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="1 = 10k bookings, 50k messages; 100 = 100x")

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        if os.environ.get(bench.CHILD_FLAG):
            return self._seed_here(scale)
        name = bench.bench_db_name(scale)
        started = time.monotonic()
        bench.recreate_database(name)
        self.stdout.write(f"database {name} created; seeding scale {scale}")
        bench.run_child(["bench_seed", "--scale", str(scale)], bench.child_env(name), stream=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"bench_seed scale={scale} done in {time.monotonic() - started:.0f} s"))

    # --- in the child, DATABASE_URL names the bench database -------------------------------------------------------
    def _seed_here(self, scale: int) -> None:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        self._log(started, "migrated")
        counts = load(scale, lambda text: self._log(started, text))
        self._log(started, "loaded")
        self._verify(counts["largest"])
        bench.emit({"scale": scale, **counts})

    def _log(self, started: float, text: str) -> None:
        self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {text}")

    def _verify(self, salon_ids: list[str], samples: int = 6) -> None:
        """The generator's rollups must equal what the real rollup computes from the loaded rows."""
        rng = random.Random(7)
        checked = 0
        for salon in Salon.objects.filter(pk__in=salon_ids):
            rows = SalonDailyStats.all_salons.filter(salon=salon).order_by("day")
            days = list(rows.values_list("day", flat=True))
            for day in rng.sample(days, min(samples, len(days))):
                stored = rows.get(day=day)
                computed = salon_stats_compute(salon=salon, day=day)
                for name in METRIC_FIELDS:
                    expected, got = getattr(stored, name), computed[name]
                    if name == "first_response_median_seconds" and expected is not None and got is not None:
                        same = abs(expected - got) < 0.01
                    else:
                        same = expected == got
                    if not same:
                        raise CommandError(f"seeded rollup differs on {salon.name} {day} {name}: {expected} != {got}")
                checked += 1
        self.stdout.write(f"verified: {checked} seeded rollup rows equal salon_stats_compute on the loaded rows")
