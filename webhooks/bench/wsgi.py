"""The ingest benchmark's WSGI app: the project's, plus the baseline served the same lean way as the webhook.

``POST /bench/baseline-insert/`` is the least a Django process can do per webhook: read the body and INSERT it with
Django's connection, inside the same request lifecycle signals, with no signature, hash or JSON check. The webhook
fast path is the same shape plus its own work, so ``ratio`` measures what the webhook's code costs.
"""

from django.core import signals
from django.db import connection

from config.wsgi import application as project_application
from webhooks.bench.views import BASELINE_TABLE

BASELINE_PATH = "/bench/baseline-insert/"


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != BASELINE_PATH:
        return project_application(environ, start_response)
    signals.request_started.send(sender=None, environ=environ)
    try:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {BASELINE_TABLE} (body) VALUES (%s)", [body])  # noqa: S608
    finally:
        signals.request_finished.send(sender=None)
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")])
    return [b""]
