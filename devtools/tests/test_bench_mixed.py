"""bench_mixed's schedule: the documents' daily mix, as a busy hour, times the multiple (the load itself needs a
running stack: `make run`, then `manage.py bench_mixed`)."""

from __future__ import annotations

from devtools.bench.mixed import PER_DAY, p95, schedule


def test_schedule_sends_the_daily_mix_as_one_hour_times_the_multiple():
    plan = schedule(2, 36)  # 36 s of a 3600 s busy hour at 2 × the daily volume: 2 % of each class's day
    counts = {kind: sum(1 for _, k in plan if k == kind) for kind in PER_DAY}
    assert counts == {kind: per_day * 2 // 100 for kind, per_day in PER_DAY.items()}
    offsets = [offset for offset, _ in plan]
    assert offsets == sorted(offsets)
    assert offsets[0] >= 0 and offsets[-1] < 36


def test_p95_of_latencies():
    assert p95([float(n) for n in range(1, 101)]) == 95.0
    assert p95([7.0]) == 7.0
