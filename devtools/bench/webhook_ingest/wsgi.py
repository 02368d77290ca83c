"""The ingest benchmark's WSGI app: the project's, plus two insert-only endpoints to compare the webhook with.

- ``POST /bench/baseline-insert/``: the baseline the issue names, "a bare Django insert-only view". Django's own
  request handling (HttpRequest, URL resolution, the view, HttpResponse) with no middleware at all, and a view that
  INSERTs the body with Django's connection. ``ratio`` in the BENCH line is measured against this.
- ``POST /bench/floor-insert/``: the floor, stricter than the issue asks. No Django request handling: read the body
  and INSERT it with Django's connection between the two ``close_old_connections()`` calls, exactly the frame the
  webhook's fast path runs in, with no signature, hash or JSON check. The webhook against this shows what its own
  code costs (printed as a second line).

Both run in the same gunicorn workers, with the same settings, as the webhook.
"""

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection

from config.wsgi import application as project_application
from devtools.bench.webhook_ingest.views import BASELINE_TABLE

BASELINE_PATH = "/bench/baseline-insert/"
FLOOR_PATH = "/bench/floor-insert/"


class BareDjangoHandler(WSGIHandler):
    """Django's WSGI handler with no middleware: what a bare Django project serves a view through."""

    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = convert_exception_to_response(self._get_response)


bare_django = BareDjangoHandler()


def floor(environ, start_response):
    close_old_connections()
    try:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {BASELINE_TABLE} (body) VALUES (%s)", [body])
    finally:
        close_old_connections()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")])
    return [b""]


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") == "POST":
        if environ.get("PATH_INFO") == BASELINE_PATH:
            return bare_django(environ, start_response)
        if environ.get("PATH_INFO") == FLOOR_PATH:
            return floor(environ, start_response)
    return project_application(environ, start_response)
