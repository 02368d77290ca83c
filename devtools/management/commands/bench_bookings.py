"""`manage.py bench_bookings`: availability speed, the 32-client race for one slot, and booking throughput.

Builds its own data in a scratch database (``<db>_bench_bookings``, created and dropped here), never the dev data.
Prints three lines:
  BENCH availability_14d_10staff p50_ms=<x> p95_ms=<y> queries=<n>
  BENCH booking_race clients=32 created=<n> overlaps=<m>
  BENCH booking_create rps=<x>
and, as the app role (row-level security only applies to roles that are not superusers), the same availability and
creation with the tenant policies on against off, interleaved in one run (``--no-rls`` skips it):
  BENCH bookings_rls availability_p50_ms on=<x> off=<y> ratio=<off/on>
  BENCH bookings_rls booking_create_rps on=<x> off=<y> ratio=<on/off>
"""

from __future__ import annotations

import statistics
import threading
import time as clock
from contextlib import suppress
from datetime import datetime, time, timedelta

import psycopg
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import services
from bookings.availability import Schedule, available_slots, booking_window, local_day_bounds
from bookings.errors import BookingConflict, BookingInvalid
from dbops.rls import set_enforced, tenant_tables
from dbops.roles import Roles, apply_roles
from devtools.bench.scratch import ScratchDatabaseCommand
from salons.models import Customer, Salon
from salons.rls import rls_execute
from salons.tenancy import salon_scope

OVERLAPS_SQL = """
SELECT count(*) FROM bookings_booking a
JOIN bookings_booking b ON a.salon_id = b.salon_id AND a.staff_id = b.staff_id AND a.id < b.id
     AND a.busy_range && b.busy_range
WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
"""


class Command(ScratchDatabaseCommand):
    help = "Benchmark availability, the booking race and booking creation in a scratch database."
    scratch_suffix = "bench_bookings"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=60, help="availability computations to time")
        parser.add_argument("--creates", type=int, default=300, help="bookings to create for the rps figure")
        parser.add_argument("--clients", type=int, default=32, help="racing clients (threads, own connections)")
        parser.add_argument("--no-rls", action="store_true", help="skip the row-level security on/off comparison")

    # --- the benchmarks ------------------------------------------------------------------------------------
    def bench(self, options) -> None:

        world = _World.build()
        salon, service = world.salon, world.service
        start = world.tomorrow
        end = start + timedelta(days=13)
        with salon_scope(salon):
            available_slots(salon=salon, service=service, start_date=start, end_date=end)  # warm up
            with CaptureQueriesContext(connection) as queries:
                slots = available_slots(salon=salon, service=service, start_date=start, end_date=end)
            timings = []
            for _ in range(options["runs"]):
                began = clock.perf_counter()
                available_slots(salon=salon, service=service, start_date=start, end_date=end)
                timings.append((clock.perf_counter() - began) * 1000)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        self.stderr.write(f"  {len(slots)} free (start, staff) pairs over 14 days × 10 staff")
        self.stderr.write(
            f"  of which computing in Python: {self._compute_ms(world, start, end):.1f} ms (rows loaded once)"
        )
        self.stdout.write(
            f"BENCH availability_14d_10staff p50_ms={p50:.1f} p95_ms={p95:.1f} queries={len(queries.captured_queries)}"
        )

        created, overlaps = self._race(world, options["clients"])
        self.stdout.write(f"BENCH booking_race clients={options['clients']} created={created} overlaps={overlaps}")

        rps = self._creates(world, options["creates"])
        self.stdout.write(f"BENCH booking_create rps={rps:.1f}")
        if not options["no_rls"]:
            self._rls_compare(world, options)

    def _availability_p50(self, world: _World, runs: int) -> float:

        start, end = world.tomorrow, world.tomorrow + timedelta(days=13)
        timings = []
        with salon_scope(world.salon):
            available_slots(salon=world.salon, service=world.service, start_date=start, end_date=end)
            for _ in range(runs):
                began = clock.perf_counter()
                available_slots(salon=world.salon, service=world.service, start_date=start, end_date=end)
                timings.append((clock.perf_counter() - began) * 1000)
        return statistics.median(timings)

    def _rls_compare(self, world: _World, options) -> None:
        """Availability and creation as the app role, with the tenant policies (and the connection's settings) on
        against off, interleaved: on, off, on, off; the better of each mode's two rounds."""

        settings_dict = connection.settings_dict
        database = settings_dict["NAME"]
        admin = {key: settings_dict.get(key) for key in ("USER", "PASSWORD")}
        roles = Roles(owner=f"{database}_owner", app=f"{database}_app", passwords={f"{database}_app": "bench"})
        params = {
            "host": settings_dict.get("HOST") or None,
            "port": settings_dict.get("PORT") or None,
            "user": admin["USER"] or None,
            "password": admin["PASSWORD"] or None,
            "dbname": database,
        }
        results: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
        with psycopg.connect(**params, autocommit=True) as admin_connection:
            apply_roles(admin_connection.cursor(), database=database, roles=roles)
            try:
                for mode in ("on", "off", "on", "off"):
                    set_enforced(admin_connection.cursor(), tenant_tables(), enforced=mode == "on")
                    connection.close()
                    settings_dict.update(USER=roles.app, PASSWORD="bench")
                    if mode == "off":
                        connection.execute_wrappers.remove(rls_execute)
                    try:
                        p50 = self._availability_p50(world, options["runs"])
                        rps = self._creates(world, options["creates"])
                    finally:
                        if mode == "off":
                            connection.execute_wrappers.insert(0, rls_execute)
                        connection.close()
                        settings_dict.update(admin)
                    results[mode].append((p50, rps))
            finally:
                set_enforced(admin_connection.cursor(), tenant_tables(), enforced=True)
        p50_on, p50_off = min(r[0] for r in results["on"]), min(r[0] for r in results["off"])
        rps_on, rps_off = max(r[1] for r in results["on"]), max(r[1] for r in results["off"])
        self.stdout.write(
            f"BENCH bookings_rls availability_p50_ms on={p50_on:.2f} off={p50_off:.2f} ratio={p50_off / p50_on:.3f}"
        )
        self.stdout.write(
            f"BENCH bookings_rls booking_create_rps on={rps_on:.1f} off={rps_off:.1f} ratio={rps_on / rps_off:.3f}"
        )

    def _compute_ms(self, world: _World, start, end) -> float:

        salon = world.salon
        window_start, window_end = local_day_bounds(start, end, salon.tz)
        earliest, latest = booking_window(salon, timezone.now())
        with salon_scope(salon):
            schedule = Schedule(
                salon=salon, service=world.service, staff=None, window_start=window_start, window_end=window_end
            )
        timings = []
        for _ in range(20):
            began = clock.perf_counter()
            schedule.slots(earliest=earliest, latest=latest, step_minutes=salon.slot_step_minutes)
            timings.append((clock.perf_counter() - began) * 1000)
        return statistics.median(timings)

    def _race(self, world: _World, clients: int) -> tuple[int, int]:

        staff = world.new_staff(name="Race")
        starts_at = datetime.combine(world.tomorrow + timedelta(days=1), time(11), tzinfo=world.salon.tz)
        barrier = threading.Barrier(clients)
        outcomes: list[str] = []
        lock = threading.Lock()

        def client(i: int) -> None:
            try:
                barrier.wait()
                services.booking_create(
                    salon=world.salon,
                    customer=world.customers[i % len(world.customers)],
                    service=world.service,
                    staff=staff,
                    starts_at=starts_at,
                    source="api",
                    notify=False,
                )
                outcome = "created"
            except BookingConflict as exc:
                outcome = "conflict" if exc.alternatives else "conflict-without-alternatives"
            except Exception as exc:
                outcome = f"error: {type(exc).__name__}: {exc}"
            finally:
                connections.close_all()
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for outcome in sorted(set(outcomes) - {"created", "conflict"}):
            self.stderr.write(f"  race: {outcomes.count(outcome)} × {outcome}")
        with connection.cursor() as cursor:
            cursor.execute(OVERLAPS_SQL)
            overlaps = cursor.fetchone()[0]
        return outcomes.count("created"), overlaps

    def _creates(self, world: _World, count: int) -> float:

        members = [world.new_staff(name=f"Throughput {i}", all_day=True) for i in range(10)]
        first = datetime.combine(world.tomorrow + timedelta(days=20), time(0), tzinfo=world.salon.tz)
        began = clock.perf_counter()
        for k in range(count):
            services.booking_create(
                salon=world.salon,
                customer=world.customers[k % len(world.customers)],
                service=world.service,
                staff=members[k % len(members)],
                starts_at=_nth_start(first, k // len(members)),
                source="admin",
                notify=False,
                # The same customers come back on every run (RLS on/off): the throughput is about the booking
                # rules and the no-overlap constraint, not a customer's own calendar.
                allow_parallel=True,
            )
        return count / (clock.perf_counter() - began)


def _nth_start(first: datetime, n: int) -> datetime:
    """The n-th free start of an all-day staff member: every 90 minutes (60 + 10 min cleanup), 15 a day."""
    return first + timedelta(days=n // 15, minutes=90 * (n % 15))


class _World:
    """A Berlin salon, a 60-minute service with cleanup, 10 staff on a split Mon-Sat week, two weeks of bookings."""

    def __init__(self, salon, service, customers, tomorrow):
        self.salon, self.service, self.customers, self.tomorrow = salon, service, customers, tomorrow

    @classmethod
    def build(cls) -> _World:

        salon = Salon.objects.create(
            name="Bench Salon",
            slug="bench-salon",
            timezone="Europe/Berlin",
            slot_step_minutes=15,
            min_notice_minutes=60,
            booking_horizon_days=60,
            reminder_offsets_minutes=[1440, 120],
        )
        with salon_scope(salon):
            service = services.service_create(
                salon=salon, name="Haircut", duration_minutes=60, buffer_after_minutes=10, price="40.00"
            )
            customers = [Customer.objects.create(phone=f"+4915112{i:06d}", name=f"Client {i}") for i in range(40)]
        tomorrow = timezone.now().astimezone(salon.tz).date() + timedelta(days=1)
        world = cls(salon, service, customers, tomorrow)
        staff = [world.new_staff(name=f"Stylist {i:02d}") for i in range(10)]
        world._fill(staff)
        return world

    def new_staff(self, *, name: str, all_day: bool = False):

        if all_day:
            week = [{"weekday": d, "start_time": time(0), "end_time": time(23, 59)} for d in range(7)]
        else:
            week = [
                {"weekday": d, "start_time": start, "end_time": end}
                for d in range(6)
                for start, end in ((time(9), time(13)), (time(14), time(19)))
            ]
        with salon_scope(self.salon):
            return services.staff_create(
                salon=self.salon, name=name, services=[{"service": self.service}], working_hours=week
            )

    def _fill(self, staff) -> None:
        """About three bookings per staff member and working day, plus some time off, over the 14 days."""

        tz = self.salon.tz
        with salon_scope(self.salon):
            for i, member in enumerate(staff):
                for day in range(14):
                    local_day = self.tomorrow + timedelta(days=day)
                    for hour in (10, 14, 17):
                        starts_at = datetime.combine(local_day, time(hour, 15 * ((i + day) % 3)), tzinfo=tz)
                        with suppress(BookingConflict, BookingInvalid):  # Sundays and the like
                            services.booking_create(
                                salon=self.salon,
                                customer=self.customers[(i + day + hour) % len(self.customers)],
                                service=self.service,
                                staff=member,
                                starts_at=starts_at,
                                source="admin",
                                notify=False,
                            )
                if i % 3 == 0:
                    off = datetime.combine(self.tomorrow + timedelta(days=i % 7), time(14), tzinfo=tz)
                    services.time_off_create(
                        salon=self.salon, staff=member, starts_at=off, ends_at=off + timedelta(hours=5)
                    )
            closure = datetime.combine(self.tomorrow + timedelta(days=9), time(0), tzinfo=tz)
            services.time_off_create(salon=self.salon, starts_at=closure, ends_at=closure + timedelta(days=1))
