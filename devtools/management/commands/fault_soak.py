"""manage.py fault_soak: drive the running `make run` stack, inject one fault per scenario, print a BENCH line each.

    make run                                   # in one terminal (embedded PostgreSQL/Redis, the fake Graph API)
    python manage.py fault_soak                # in another: every scenario, full length (about 15 minutes)
    python manage.py fault_soak --short        # a few messages, 5 s outages (CI: devtools/tests/test_fault_soak.py)
    python manage.py fault_soak --scenarios redis,worker

Each line: ``BENCH fault scenario=<name> accepted=<n> lost_events=<n> unanswered=<n> lost_bookings=<n>
duplicate_sends=<n> recovery_s=<s>`` (accepted = webhooks answered 200 + bookings answered 201; recovery_s = from
the end of the fault until everything accepted was stored, answered and sent; -1 if not within the drain timeout).
See docs/operations.md, "Fault soak".
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from config.local_services import DATA_DIR
from devtools.soak.faults import SCENARIOS, FaultError
from devtools.soak.runner import Plan, new_run_number, run_scenario
from devtools.soak.target import soak_target

FULL = Plan(rate=10.0, booking_rate=2.0, before=20.0, after=30.0, outage=30.0, drain_timeout=300.0)
SHORT = Plan(rate=3.0, booking_rate=1.0, before=3.0, after=4.0, outage=5.0, drain_timeout=120.0)


class Command(BaseCommand):
    help = "Fault soak of the running local stack: load, one fault per scenario, drain, BENCH lines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--short", action="store_true", help="few messages and 5 s outages (CI)")
        parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {SCENARIOS}")
        parser.add_argument("--base-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--graph-url", default=os.environ.get("WHATSAPP_GRAPH_BASE_URL", "http://127.0.0.1:8001"))
        parser.add_argument("--rate", type=float, help="inbound texts per second (default 10, short 3)")
        parser.add_argument("--outage", type=float, help="seconds Redis / the fake Graph API stay down")

    def handle(self, *args, short: bool, scenarios: str, base_url: str, graph_url: str, **options) -> None:
        plan = SHORT if short else FULL
        if options["rate"] or options["outage"]:
            plan = Plan(
                **{**plan.__dict__, "rate": options["rate"] or plan.rate, "outage": options["outage"] or plan.outage}
            )
        names = [name.strip() for name in scenarios.split(",") if name.strip()]
        if unknown := set(names) - set(SCENARIOS):
            raise CommandError(f"unknown scenario(s) {sorted(unknown)}; known: {SCENARIOS}")
        customers = int(plan.booking_rate * (plan.before + plan.after + 60)) + 10
        target = soak_target(base_url=base_url, graph_url=graph_url, customers=customers)
        run = new_run_number()

        def say(text: str) -> None:
            self.stderr.write(f"fault_soak: {text}")

        for index, name in enumerate(names):
            say(f"scenario {name}")
            try:
                line = run_scenario(name, index, target=target, plan=plan, data_dir=DATA_DIR, run=run, say=say)
            except FaultError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(line)
            self.stdout.flush()
