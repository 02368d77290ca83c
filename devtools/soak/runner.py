"""The soak's scenarios: load, one fault, the rest of the load, drain, one BENCH line each."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from devtools.soak import faults
from devtools.soak.load import Load, first_free_slot
from devtools.soak.measure import duplicate_sends, wait_drained
from devtools.soak.target import Target


@dataclass(frozen=True)
class Plan:
    rate: float  # inbound texts per second
    booking_rate: float  # API bookings per second
    before: float  # seconds of load before the fault
    after: float  # seconds of load after it
    outage: float  # how long Redis / the fake Graph API stay down
    drain_timeout: float


def run_scenario(name: str, index: int, *, target: Target, plan: Plan, data_dir: Path, run: int, say) -> str:
    faults.graph_reset(target.graph_url)
    sent_before_kill: list[dict] = []
    load = Load(
        target,
        prefix=f"19{run:04d}{index:02d}",
        rate=plan.rate,
        booking_rate=plan.booking_rate,
        first_slot=first_free_slot(run * 10 + index),
    )
    load.start()
    time.sleep(plan.before)
    say(f"{name}: injecting the fault")
    faults.inject(
        name,
        data_dir=data_dir,
        outage=plan.outage,
        graph_url=target.graph_url,
        snapshot=lambda: sent_before_kill.extend(faults.graph_sent(target.graph_url)),
    )
    fault_over = time.monotonic()
    time.sleep(plan.after)
    load.stop_new()
    load.finish(timeout=plan.drain_timeout)
    drained = wait_drained(
        salon_id=target.salon_id, accepted=load.accepted, booked=load.booked, timeout=plan.drain_timeout
    )
    recovery = time.monotonic() - fault_over  # the end of the fault until all that was accepted is done
    seen = {entry["wamid"]: entry for entry in [*sent_before_kill, *faults.graph_sent(target.graph_url)]}
    duplicates = duplicate_sends(
        salon_id=target.salon_id, senders=set(load.accepted.values()), sent=list(seen.values())
    )
    if not drained.drained:
        recovery = -1.0  # not drained within the timeout
    if load.refused:
        say(f"{name}: refused and retried: {dict(load.refused)}")
    return (
        f"BENCH fault scenario={name} accepted={len(load.accepted) + len(load.booked)} "
        f"lost_events={drained.lost_events} unanswered={drained.unanswered} lost_bookings={drained.lost_bookings} "
        f"duplicate_sends={duplicates} recovery_s={recovery:.1f}"
    )


def new_run_number() -> int:
    return random.randint(1, 9999)
