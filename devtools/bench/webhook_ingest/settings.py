"""Settings of the ingest benchmark's gunicorn: the production settings plus the baseline endpoint's URLconf."""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "devtools.bench.webhook_ingest.urls"
WEBHOOKS_NOTIFY = os.environ.get("WEBHOOKS_NOTIFY", "0") == "1"
