"""The WhatsApp webhook endpoint: the GET verification handshake and the signed POST (verify, one INSERT, answer)."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from webhooks import metrics, services

logger = logging.getLogger("chairside.webhooks")


@csrf_exempt
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    """A plain Django view on purpose: the POST path is one signature check, one INSERT and the response."""
    if request.method == "POST":
        return _receive(request)
    if request.method == "GET":
        return _handshake(request)
    return HttpResponseNotAllowed(["GET", "POST"])


def _handshake(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    expected = settings.WHATSAPP_VERIFY_TOKEN
    token_ok = bool(expected) and hmac.compare_digest(token.encode(), expected.encode())
    if mode == "subscribe" and token_ok and challenge:
        return HttpResponse(challenge, content_type="text/plain")
    logger.warning("webhook verification refused", extra={"mode": mode[:32]})
    return HttpResponse("forbidden", status=403, content_type="text/plain")


def receive_post(*, body: bytes, signature: str, remote_addr: str | None) -> tuple[int, str]:
    """The POST contract, shared by the view and the WSGI fast path (``webhooks.wsgi``): (status, text).

    Missing signature 401, wrong signature 403 (both counted and logged, never with the body); a signed body is
    stored with one INSERT (a byte-identical redelivery is absorbed) and answered 200, or 400 if it is not JSON.
    """
    if not signature:
        return _refuse("missing", 401, remote_addr, len(body))
    if not services.signature_valid(body=body, header=signature):
        return _refuse("mismatch", 403, remote_addr, len(body))
    result = services.event_ingest(body=body)
    if result.error:
        logger.warning("webhook body stored as failed", extra={"event_id": result.event_id, "error": result.error})
        return 400, result.error
    return 200, ""


class BodyTooLarge(Exception):
    pass


def body_is_streamed(environ) -> bool:
    """A body without Content-Length (``Transfer-Encoding: chunked``) that the server delimits for us: gunicorn
    decodes the chunks and sets ``wsgi.input_terminated``, so reading to EOF reads exactly the body."""
    if environ.get("CONTENT_LENGTH"):
        return False
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked and bool(environ.get("wsgi.input_terminated"))


def read_streamed_body(environ, *, limit: int) -> bytes:
    """The whole streamed body, at most ``limit`` bytes (``BodyTooLarge`` beyond: nothing more is read)."""
    stream, parts, size = environ["wsgi.input"], [], 0
    while True:
        part = stream.read(min(65536, limit + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > limit:
            raise BodyTooLarge(f"body over {limit} bytes")


def _refuse(reason: str, status: int, remote_addr: str | None, content_length: int) -> tuple[int, str]:
    metrics.INVALID_SIGNATURE.labels(reason).inc()
    # Never the body: it is customer data from someone who could not prove they are Meta.
    logger.warning(
        "webhook signature refused",
        extra={"reason": reason, "remote_addr": remote_addr, "content_length": content_length},
    )
    return status, ""


def _receive(request: HttpRequest) -> HttpResponse:
    if body_is_streamed(request.META):
        # Django reads a body without Content-Length as empty (its stream is limited to 0 bytes): read it here.
        try:
            body = read_streamed_body(request.META, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except BodyTooLarge:
            return HttpResponse("body too large", status=413, content_type="text/plain")
    else:
        body = request.body
    status, text = receive_post(
        body=body,
        signature=request.META.get("HTTP_X_HUB_SIGNATURE_256", ""),
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    return HttpResponse(text, status=status, content_type="text/plain")
