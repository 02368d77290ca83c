"""gunicorn settings of the ingest benchmark: production's gunicorn.conf.py, minus the access log."""

import runpy
from pathlib import Path

globals().update(runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py")))
accesslog = None
wsgi_app = "webhooks.bench.wsgi:application"  # the baseline is served as leanly as the webhook's fast path
