"""The WSGI fast path for ``POST /webhooks/whatsapp/``: the webhook's own contract without Django's middleware.

Meta's deliveries are the highest-volume request Chairside serves, and they need none of what the middleware stack
does (sessions, auth, CSRF, messages, static files, host and HTTPS checks: the HMAC signature is the authentication).
In process the stack costs about as much as the signature check and the INSERT together, so this wrapper answers that
one route itself, with the same function the Django view uses (``webhooks.views.receive_post``), inside Django's
request lifecycle signals (so database connections are reused and health-checked exactly as for other requests).
Every other request, and the GET handshake, goes to Django unchanged.
"""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.core import signals

logger = logging.getLogger("chairside.webhooks")

WEBHOOK_PATH = "/webhooks/whatsapp/"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 413: "Payload Too Large"}


class WebhookFastPath:
    def __init__(self, app, path: str = WEBHOOK_PATH):
        self.app, self.path = app, path

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != self.path:
            return self.app(environ, start_response)
        from config.logging import request_id_var
        from webhooks.views import receive_post

        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            status, text = self._handle(environ, receive_post)
        except Exception:
            # Nothing was stored (or the INSERT is rolled back): Meta retries a 500 later, nothing is lost.
            logger.exception("webhook fast path failed")
            status, text = 500, ""
        finally:
            signals.request_finished.send(sender=self.__class__)
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
    def _handle(environ, receive_post) -> tuple[int, str]:
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
