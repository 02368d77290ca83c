"""Settings of the read benchmark's gunicorn: production settings plus a trivial authenticated baseline endpoint."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "devtools.analytics_bench.bench_urls"
