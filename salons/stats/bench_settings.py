"""Settings of the read benchmark's gunicorn: production settings plus a trivial authenticated baseline endpoint."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "salons.stats.bench_urls"
