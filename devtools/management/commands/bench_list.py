"""`manage.py bench_list`: the bookings list API (a page of 50) against a trivial API endpoint, in one run.

Builds the world of ``bench_bookings`` in a scratch database (``<db>_bench_list``, created and dropped here), then
times GET ``bookings/`` (a full page of 50) and GET the salon's detail (one small object: the same authentication,
salon scope, DRF and middleware, no list) alternately in this process through the whole Django stack, and the page's
formatting alone both ways (``booking_rows`` over selected values, and ``BookingOutputSerializer`` over instances).
Prints:
  BENCH bookings_list page=50 rps=<x> trivial_rps=<t> ratio=<x/t>
  BENCH bookings_list_format page=50 rows_ms=<r> serializer_ms=<s> speedup=<s/r>
``BENCH_PROFILE=1`` also prints a cProfile of 100 list requests to stderr.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time as clock

from django.db import connection
from django.test.utils import setup_test_environment
from django.urls import reverse
from rest_framework.test import APIClient

from bookings import selectors
from bookings.api.bookings import BookingOutputSerializer
from bookings.api.rows import booking_row_values, booking_rows
from bookings.models import Booking
from devtools.bench.scratch import ScratchDatabaseCommand
from devtools.management.commands.bench_bookings import _World
from salons.models import Membership, Role, User
from salons.tenancy import salon_scope


def _median_ms(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


class Command(ScratchDatabaseCommand):
    help = "Benchmark the bookings list page against a trivial endpoint (prints BENCH bookings_list ratio=…)."
    scratch_suffix = "bench_list"

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=300, help="requests per endpoint")

    def bench(self, options) -> None:
        requests = options["requests"]
        setup_test_environment()
        world = _World.build()
        salon = world.salon
        user = User.objects.create_user(email="bench-list@example.com", password="pw-Bench-list-123")
        with salon_scope(salon):
            Membership.objects.create(user=user, role=Role.OWNER)
            assert Booking.objects.count() >= 50, "the world has fewer bookings than a page"
        with connection.cursor() as cursor:
            # Statistics, as autovacuum keeps them on a live database: without them the planner guesses 3 bookings,
            # hash-joins all 360 and sorts them for a page of 50 (3 ms instead of 0.3 ms), a plan production never runs.
            cursor.execute("ANALYZE")
        client = APIClient()
        client.force_authenticate(user)
        list_url = reverse("booking-list", kwargs={"salon_id": salon.pk})
        trivial_url = reverse("salon-detail", kwargs={"salon_id": salon.pk})
        for url in (list_url, trivial_url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        assert len(client.get(list_url).json()["results"]) == 50
        if os.environ.get("BENCH_PROFILE"):
            profile = cProfile.Profile()
            profile.runcall(lambda: [client.get(list_url) for _ in range(100)])
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        list_times, trivial_times = [], []
        for _ in range(requests):
            for url, timings in ((list_url, list_times), (trivial_url, trivial_times)):
                began = clock.perf_counter()
                client.get(url)
                timings.append(clock.perf_counter() - began)
        rps, trivial = 1000 / _median_ms(list_times), 1000 / _median_ms(trivial_times)
        self.stdout.write(
            f"BENCH bookings_list page=50 rps={rps:.1f} trivial_rps={trivial:.1f} ratio={rps / trivial:.2f}"
        )
        self._formatting(salon, requests)

    def _formatting(self, salon, runs: int) -> None:
        with salon_scope(salon):
            queryset = selectors.booking_list_queryset(Booking.objects.all()).order_by("starts_at", "pk")
            values = list(booking_row_values(queryset)[:50])
            instances = list(queryset[:50])
            rows_times, serializer_times = [], []
            for _ in range(runs):
                began = clock.perf_counter()
                booking_rows(values)
                rows_times.append(clock.perf_counter() - began)
                began = clock.perf_counter()
                BookingOutputSerializer(instances, many=True).data  # noqa: B018 (the work being timed)
                serializer_times.append(clock.perf_counter() - began)
        rows_ms, serializer_ms = _median_ms(rows_times), _median_ms(serializer_times)
        self.stdout.write(
            f"BENCH bookings_list_format page=50 rows_ms={rows_ms:.2f} serializer_ms={serializer_ms:.2f} "
            f"speedup={serializer_ms / rows_ms:.1f}"
        )
