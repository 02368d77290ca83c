"""gunicorn settings of the ingest benchmark: production's gunicorn.conf.py, minus the access log."""

import runpy
from pathlib import Path

globals().update(runpy.run_path(str(Path(__file__).resolve().parents[3] / "gunicorn.conf.py")))
accesslog = None
# The baseline is served as leanly as the webhook's fast path.
wsgi_app = "devtools.bench.webhook_ingest.wsgi:application"
