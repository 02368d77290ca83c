"""manage.py bench_capacity with tiny parameters: it runs its stack on a scratch database and prints its BENCH line
(the numbers are the machine's: no threshold here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
BENCH = re.compile(r"^BENCH capacity relays=1 max_rate=(?P<rate>[\d.]+) lag_p95_s=(?P<lag>[\d.]+)$", re.M)


def test_bench_capacity_prints_its_bench_line():
    url = urlsplit(os.environ["DATABASE_URL"])
    # The scratch database is named after the configured one: a name of this test run's own.
    name = f"{os.environ.get('TEST_DATABASE_NAME', 'test_chairside')}_capcmd"
    env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path=f"/{name}")), "CHAIRSIDE_NO_EMBEDDED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "bench_capacity", "--rates", "5", "--step-seconds", "1", "--relays", "1"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    match = BENCH.search(result.stdout)
    assert match, result.stdout
    assert float(match["rate"]) in (0.0, 5.0)
    assert "stored=5 " in result.stderr  # every event sent was stored in the scratch database
