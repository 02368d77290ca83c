"""The WSGI fast path for ``POST /webhooks/whatsapp/``: the webhook's own contract without Django's middleware.

Meta's deliveries are the highest-volume request Chairside serves, and they need none of what the middleware stack
does (sessions, auth, CSRF, messages, static files, host and HTTPS checks: the HMAC signature is the authentication).
In process the stack costs about as much as the signature check and the INSERT together, so this wrapper answers that
one route itself, with the same function the Django view uses (``webhooks.views.receive_post``).

Around it, the fast path does what Django's request signals do for the database, and only that:
``close_old_connections()`` before and after. That keeps connections reused within ``CONN_MAX_AGE``, drops broken
ones, and re-arms the idle-aware health check. It does not send ``request_started``/``request_finished``. The rest of
what those signals trigger does not apply to this path: the DEBUG query log, cache connections (none are used here)
and the URLconf reset (none is set). Dispatching them cost a sizeable share of a gunicorn worker's CPU per webhook
POST (bench/RESULTS.md, "Measurements quoted from the code"). Tests patch this module's
``close_old_connections``, just as Django's test client disconnects it from the signals, so that their transaction
survives the request.
Every other request, and the GET handshake, goes to Django unchanged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import close_old_connections

from config.db.unavailable import database_unavailable
from config.logging import request_id_for, request_id_var
from webhooks.views import BodyTooLarge, body_is_streamed, read_streamed_body, receive_post

logger = logging.getLogger("chairside.webhooks")

WEBHOOK_PATH = "/webhooks/whatsapp/"
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    413: "Payload Too Large",
    503: "Service Unavailable",
}


class WebhookFastPath:
    def __init__(self, app, path: str = WEBHOOK_PATH):
        self.app, self.path = app, path

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self.path:
            return self.app(environ, start_response)
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        token = request_id_var.set(request_id)
        try:
            close_old_connections()  # what request_started does for the database
            status, text = self._handle(environ)
        except Exception as exc:
            # Nothing was stored (or the INSERT is rolled back): Meta retries later, nothing is lost. The database
            # down or restarting is a 503 (the same rule as every other request); anything else a logged 500.
            if database_unavailable(exc):
                logger.warning("webhook fast path: database unavailable", extra={"error": str(exc)[:200]})
                status, text = 503, ""
            else:
                logger.exception("webhook fast path failed")
                status, text = 500, ""
        finally:
            try:
                close_old_connections()  # what request_finished does for the database
            except Exception:  # a connection that broke while closing: it is dropped, the answer stands
                logger.warning("webhook fast path: closing the connection failed", exc_info=True)
            request_id_var.reset(token)
        payload = text.encode()
        start_response(
            f"{status} {_REASONS.get(status, 'Internal Server Error')}",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(payload))),
                ("X-Request-ID", request_id),
            ],
        )
        return [payload]

    @staticmethod
    def _handle(environ) -> tuple[int, str]:
        if body_is_streamed(environ):  # Transfer-Encoding: chunked, no Content-Length
            try:
                body = read_streamed_body(environ, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            except BodyTooLarge:
                return 413, "body too large"
            return receive_post(
                body=body, signature=environ.get("HTTP_X_HUB_SIGNATURE_256", ""), remote_addr=environ.get("REMOTE_ADDR")
            )
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, "bad Content-Length"
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return 413, "body too large"
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        return receive_post(
            body=body, signature=environ.get("HTTP_X_HUB_SIGNATURE_256", ""), remote_addr=environ.get("REMOTE_ADDR")
        )
