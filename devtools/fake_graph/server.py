"""A fake WhatsApp Cloud API (Graph API) on loopback, speaking the real wire format, for tests and the local demo.

It answers ``POST /<version>/<phone_number_id>/messages`` (send, mark as read) and
``GET|POST|DELETE /<version>/<waba_id>/message_templates``, checks the bearer token per phone number id, can be told to
fail (an error code for the next N sends, timeouts, 5xx), records every request, and emits status webhooks (sent,
delivered, read, or failed with a code) to a callback URL, signed like Meta's (HMAC-SHA256 of the compact,
ASCII-escaped JSON body with the app secret), optionally duplicated, reordered or without ``delivered``.

Control endpoints for a running server (the local demo): ``POST /_fake/fail`` {"code": 131047, "count": 1},
``POST /_fake/timeout`` {"count": 1}, ``POST /_fake/server_error`` {"count": 1, "status": 503},
``GET /_fake/sent``, ``POST /_fake/reset``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import queue
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

logger = logging.getLogger("chairside.fake_graph")

# Titles as Meta words them, and the HTTP status it answers with.
ERROR_TITLES: dict[int, tuple[str, int]] = {
    0: ("AuthException", 401),
    1: ("An unknown error occurred", 500),
    2: ("Service temporarily unavailable", 503),
    4: ("Application request limit reached", 400),
    10: ("Permission denied", 403),
    100: ("Invalid parameter", 400),
    190: ("Invalid OAuth access token - Cannot parse access token", 401),
    200: ("Permission error", 403),
    368: ("Temporarily blocked for policies violations", 403),
    80007: ("Rate limit issues", 400),
    130429: ("Rate limit hit", 400),
    131000: ("Something went wrong", 500),
    131008: ("Required parameter is missing", 400),
    131009: ("Parameter value is not valid", 400),
    131016: ("Service unavailable", 503),
    131026: ("Message undeliverable", 400),
    131031: ("Account has been locked", 403),
    131047: ("Re-engagement message", 400),
    131050: ("Unable to deliver the message. This recipient has chosen to stop receiving marketing messages", 400),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", 400),
    132000: ("Number of parameters does not match the expected number of params", 400),
    132001: ("Template name does not exist in the translation", 404),
    132005: ("Translated text too long", 400),
    132012: ("Parameter format does not match format in the created template", 400),
    132015: ("Template is paused", 400),
    132016: ("Template is disabled", 400),
}


def error_envelope(code: int, details: str = "") -> tuple[int, dict]:
    title, http_status = ERROR_TITLES.get(code, ("Unknown error", 400))
    error: dict[str, Any] = {
        "message": f"(#{code}) {title}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or title},
        "fbtrace_id": "A" + secrets.token_urlsafe(16),
    }
    if code == 190:
        error["error_subcode"] = 463
    return http_status, {"error": error}


def sign(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(waba_id: str, phone_number_id: str, display: str, statuses: list[dict]) -> bytes:
    """The exact bytes Meta would POST: compact JSON with non-ASCII escaped."""
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": display, "phone_number_id": phone_number_id},
                            "statuses": statuses,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass
class Injection:
    kind: str  # "error" | "timeout" | "server_error"
    count: int
    code: int | None = None
    status: int = 503


@dataclass
class StatusPlan:
    """How statuses are emitted after each accepted send."""

    statuses: tuple[str, ...] = ("sent", "delivered", "read")
    duplicates: bool = False
    reorder: bool = False
    skip_delivered: bool = False
    fail_code: int | None = None  # emit sent then failed(code) instead
    delay: float = 0.2


@dataclass
class SentMessage:
    phone_number_id: str
    wamid: str
    payload: dict
    token: str
    at: float = field(default_factory=time.time)


class FakeGraphState:
    """Everything the fake knows; shared by the request threads (guarded by one lock)."""

    def __init__(self, *, accept_unknown_tokens: bool, token_lookup: Callable[[str], tuple[str, str] | None] | None):
        self.lock = threading.RLock()
        self.accept_unknown_tokens = accept_unknown_tokens
        self.token_lookup = token_lookup
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.tokens: dict[str, str] = {}  # phone_number_id or waba_id -> token
            self.waba_of: dict[str, str] = {}  # phone_number_id -> waba_id
            self.display_of: dict[str, str] = {}
            self.requests: list[dict] = []
            self.sent: list[SentMessage] = []
            self.read_marks: list[str] = []
            self.injections: deque[Injection] = deque()
            self.templates: dict[str, list[dict]] = {}
            self.statuses: list[dict] = []  # every status generated (emitted or not), with its phone_number_id
            self.plan = StatusPlan()
            self.callback_url: str | None = getattr(self, "callback_url", None)
            self.auto_approve_templates = False

    def known_token(self, object_id: str) -> str | None:
        with self.lock:
            if object_id in self.tokens:
                return self.tokens[object_id]
        if self.token_lookup is not None:
            found = self.token_lookup(object_id)
            if found:
                token, waba_id = found
                with self.lock:
                    self.tokens[object_id] = token
                    if waba_id:
                        self.waba_of.setdefault(object_id, waba_id)
                return token
        return None

    def take_injection(self) -> Injection | None:
        with self.lock:
            if not self.injections:
                return None
            injection = self.injections[0]
            injection.count -= 1
            if injection.count <= 0:
                self.injections.popleft()
            return injection


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Keep-alive with headers and body written separately: without TCP_NODELAY, Nagle plus the client's delayed ACK
    # held every response for ~40 ms (measured: 44 ms per request, 0.5 ms with it).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake graph: " + format, *args)

    # --- plumbing -------------------------------------------------------------------------------------------------
    def _reply(self, status: int, payload: Any = None, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if raw is None else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def _route(self, method: str) -> None:
        parsed = urlparse(self.path)
        parts = [p for p in parsed.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        body = self._body() if method in ("POST", "PUT") else {}
        state = self.server.state
        with state.lock:
            state.requests.append(
                {"method": method, "path": parsed.path, "query": query, "json": body, "headers": dict(self.headers)}
            )
        if parts and parts[0] == "_fake":
            return self._control(method, parts[1:] if len(parts) > 1 else [""], body or {})
        if len(parts) == 2 and parts[0].startswith("v") and method == "POST":
            return self._template_edit(parts[1], body or {})
        if len(parts) != 3 or not parts[0].startswith("v"):
            return self._reply(400, error_envelope(100, "Unknown path")[1])
        _version, object_id, edge = parts
        if not self._authorized(object_id):
            return None
        if edge == "messages" and method == "POST":
            return self._messages(object_id, body)
        if edge == "message_templates":
            return self._templates(method, object_id, query, body)
        status, payload = error_envelope(100, f"Unsupported {method} request on {edge}")
        return self._reply(status, payload)

    def do_POST(self) -> None:
        self._route("POST")

    def do_GET(self) -> None:
        self._route("GET")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _authorized(self, object_id: str) -> bool:
        state = self.server.state
        supplied = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        expected = state.known_token(object_id)
        if not supplied:
            self._reply(*error_envelope(190, "An access token is required to request this resource."))
            return False
        if expected is None and not state.accept_unknown_tokens:
            status, payload = error_envelope(100, f"Object with ID '{object_id}' does not exist")
            payload["error"]["error_subcode"] = 33
            self._reply(status, payload)
            return False
        if expected is not None and not hmac.compare_digest(supplied, expected):
            self._reply(*error_envelope(190, "Invalid OAuth access token."))
            return False
        self.token = supplied
        return True

    # --- messages -------------------------------------------------------------------------------------------------
    def _messages(self, phone_number_id: str, body: Any) -> None:
        state = self.server.state
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return self._reply(*error_envelope(100, "messaging_product must be whatsapp"))
        if body.get("status") == "read":
            with state.lock:
                state.read_marks.append(body.get("message_id", ""))
            return self._reply(200, {"success": True})
        injection = state.take_injection()
        if injection is not None:
            if injection.kind == "timeout":
                time.sleep(self.server.timeout_seconds)
                return self._reply(500, raw=b"")
            if injection.kind == "server_error":
                return self._reply(injection.status, raw=b"<html><body>Service Unavailable</body></html>")
            return self._reply(*error_envelope(injection.code or 131000))
        to, type_ = body.get("to"), body.get("type")
        if not to:
            return self._reply(*error_envelope(131008, "Parameter 'to' is required."))
        if not type_ or type_ not in body:
            return self._reply(*error_envelope(131008, f"Parameter '{type_ or 'type'}' is required."))
        wamid = "wamid." + base64.b64encode(f"FAKE{to}{secrets.token_hex(12)}".encode()).decode().rstrip("=")
        with state.lock:
            state.sent.append(SentMessage(phone_number_id, wamid, body, self.token))
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": str(to).lstrip("+")}],
            "messages": [{"id": wamid, "message_status": "accepted"}] if type_ == "template" else [{"id": wamid}],
        }
        self._reply(200, answer)
        self.server.plan_statuses(phone_number_id, wamid, body)
        return None

    # --- templates ------------------------------------------------------------------------------------------------
    def _templates(self, method: str, waba_id: str, query: dict, body: Any) -> None:
        state = self.server.state
        with state.lock:
            templates = state.templates.setdefault(waba_id, [])
            if method == "POST":
                if not isinstance(body, dict) or not body.get("name") or not body.get("language"):
                    return self._reply(*error_envelope(100, "name and language are required"))
                if any(t["name"] == body["name"] and t["language"] == body["language"] for t in templates):
                    status, payload = error_envelope(100, "Content in this language already exists")
                    payload["error"]["error_subcode"] = 2388024
                    return self._reply(status, payload)
                template = {
                    "id": str(random.randint(10**15, 10**16 - 1)),
                    "name": body["name"],
                    "language": body["language"],
                    "status": "APPROVED" if state.auto_approve_templates else "PENDING",
                    "category": body.get("category", "UTILITY"),
                    "parameter_format": body.get("parameter_format", "POSITIONAL"),
                    "components": body.get("components", []),
                }
                templates.append(template)
                return self._reply(
                    200, {"id": template["id"], "status": template["status"], "category": template["category"]}
                )
            if method == "GET":
                limit = int(query.get("limit", 25))
                start = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
                page = templates[start : start + limit]
                answer: dict[str, Any] = {"data": [dict(t) for t in page]}
                if templates:
                    after = start + len(page)
                    answer["paging"] = {
                        "cursors": {
                            "before": base64.b64encode(str(start).encode()).decode(),
                            "after": base64.b64encode(str(after).encode()).decode(),
                        }
                    }
                    if after < len(templates):
                        answer["paging"]["next"] = (
                            f"{self.server.base_url}{urlparse(self.path).path}?limit={limit}&after="
                            f"{answer['paging']['cursors']['after']}"
                        )
                return self._reply(200, answer)
            if method == "DELETE":
                name = query.get("name")
                keep = [t for t in templates if t["name"] != name or (query.get("hsm_id") not in (None, t["id"]))]
                if len(keep) == len(templates):
                    return self._reply(*error_envelope(100, f"Message template {name!r} not found"))
                state.templates[waba_id] = keep
                return self._reply(200, {"success": True})
        return self._reply(*error_envelope(100, "Unsupported method"))

    def _template_edit(self, template_id: str, body: dict) -> None:
        state = self.server.state
        with state.lock:
            for waba_id, templates in state.templates.items():
                for template in templates:
                    if template["id"] == template_id:
                        if not self._authorized(waba_id):
                            return None
                        template.update(components=body.get("components", template["components"]), status="PENDING")
                        if body.get("category"):
                            template["category"] = body["category"]
                        return self._reply(200, {"success": True})
        return self._reply(*error_envelope(100, f"Object with ID '{template_id}' does not exist"))

    # --- control --------------------------------------------------------------------------------------------------
    def _control(self, method: str, parts: list[str], body: dict) -> None:
        server = self.server
        action = parts[0]
        if action == "sent" and method == "GET":
            with server.state.lock:
                sent = [
                    {"phone_number_id": s.phone_number_id, "wamid": s.wamid, "payload": s.payload}
                    for s in server.state.sent
                ]
            return self._reply(200, {"sent": sent})
        if method != "POST":
            return self._reply(405, {"error": "POST"})
        if action == "fail":
            server.fail_next(int(body["code"]), int(body.get("count", 1)))
        elif action == "timeout":
            server.timeout_next(int(body.get("count", 1)))
        elif action == "server_error":
            server.server_error_next(int(body.get("count", 1)), int(body.get("status", 503)))
        elif action == "reset":
            server.state.reset()
        elif action == "plan":
            server.set_plan(**body)
        else:
            return self._reply(404, {"error": f"unknown control {action}"})
        return self._reply(200, {"ok": True})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: FakeGraphState
    base_url: str
    timeout_seconds: float

    def plan_statuses(self, phone_number_id: str, wamid: str, payload: dict) -> None:
        raise NotImplementedError

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client closed its keep-alive connection: normal
        super().handle_error(request, client_address)


class FakeGraphServer:
    """Start with ``start()``; ``base_url`` is what WHATSAPP_GRAPH_BASE_URL should be."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        callback_url: str | None = None,
        app_secret: str = "dev-app-secret",  # noqa: S107 (the local default, like settings)
        accept_unknown_tokens: bool = False,
        token_lookup: Callable[[str], tuple[str, str] | None] | None = None,
        timeout_seconds: float = 3.0,
    ):
        self.state = FakeGraphState(accept_unknown_tokens=accept_unknown_tokens, token_lookup=token_lookup)
        self.state.callback_url = callback_url
        self.app_secret = app_secret
        self.httpd = _Server((host, port), _Handler)
        self.httpd.state = self.state
        self.httpd.timeout_seconds = timeout_seconds
        self.httpd.plan_statuses = self._plan_statuses  # type: ignore[method-assign]
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        self.httpd.base_url = self.base_url
        self._thread: threading.Thread | None = None
        self._outbox: queue.Queue = queue.Queue()
        self._emitter: threading.Thread | None = None
        self.emitted: list[tuple[bytes, int | None]] = []  # (body, HTTP status of the callback)

    # --- lifecycle ----------------------------------------------------------------------------------------------
    def start(self) -> FakeGraphServer:
        # A short poll interval: stop() returns within 50 ms instead of half a second (once per test using it).
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-graph", daemon=True
        )
        self._thread.start()
        self._emitter = threading.Thread(target=self._emit_loop, name="fake-graph-webhooks", daemon=True)
        self._emitter.start()
        return self

    def serve_forever(self) -> None:
        self._emitter = threading.Thread(target=self._emit_loop, name="fake-graph-webhooks", daemon=True)
        self._emitter.start()
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._outbox.put(None)

    # --- configuration ------------------------------------------------------------------------------------------
    def register(self, *, phone_number_id: str, token: str, waba_id: str = "", display_phone_number: str = "") -> None:
        with self.state.lock:
            self.state.tokens[phone_number_id] = token
            if waba_id:
                self.state.tokens[waba_id] = token
                self.state.waba_of[phone_number_id] = waba_id
            self.state.display_of[phone_number_id] = display_phone_number

    def register_salon(self, salon) -> None:
        """Accept this salon's token for its phone number id and WABA."""
        from messaging.whatsapp.client import salon_token

        self.register(
            phone_number_id=salon.phone_number_id,
            token=salon_token(salon),
            waba_id=salon.waba_id,
            display_phone_number=salon.display_phone_number,
        )

    def fail_next(self, code: int, n: int = 1) -> None:
        """The next ``n`` sends answer Meta's error envelope with this ``error.code``."""
        with self.state.lock:
            self.state.injections.append(Injection("error", n, code=code))

    def timeout_next(self, n: int = 1) -> None:
        """The next ``n`` sends hang longer than the client's timeout (nothing is sent)."""
        with self.state.lock:
            self.state.injections.append(Injection("timeout", n))

    def server_error_next(self, n: int = 1, status: int = 503) -> None:
        """The next ``n`` sends answer an HTML 5xx page without an error envelope."""
        with self.state.lock:
            self.state.injections.append(Injection("server_error", n, status=status))

    def set_plan(self, **plan: Any) -> None:
        """Status webhooks after each send: statuses, duplicates, reorder, skip_delivered, fail_code, delay."""
        with self.state.lock:
            if "statuses" in plan:
                plan["statuses"] = tuple(plan["statuses"])
            self.state.plan = StatusPlan(**plan)

    def set_callback(self, url: str | None) -> None:
        with self.state.lock:
            self.state.callback_url = url

    # --- reading what happened ----------------------------------------------------------------------------------
    @property
    def sent(self) -> list[SentMessage]:
        with self.state.lock:
            return list(self.state.sent)

    @property
    def requests(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.requests)

    def statuses_for(self, wamid: str | None = None) -> list[dict]:
        """The status objects generated (in emission order), as they appear in ``value["statuses"]``."""
        with self.state.lock:
            return [s["status"] for s in self.state.statuses if wamid is None or s["status"]["id"] == wamid]

    def templates(self, waba_id: str) -> list[dict]:
        with self.state.lock:
            return [dict(t) for t in self.state.templates.get(waba_id, [])]

    def set_template_status(self, waba_id: str, name: str, status: str) -> None:
        with self.state.lock:
            for template in self.state.templates.get(waba_id, []):
                if template["name"] == name:
                    template["status"] = status

    # --- status webhooks ----------------------------------------------------------------------------------------
    def _category(self, payload: dict, waba_id: str) -> tuple[str, str, bool]:
        """(pricing type, category, billable) as Meta would report them for this message."""
        if payload.get("type") != "template":
            return "free_customer_service", "service", False
        name = (payload.get("template") or {}).get("name")
        category = "utility"
        with self.state.lock:
            for template in self.state.templates.get(waba_id, []):
                if template["name"] == name:
                    category = template["category"].lower()
        return "regular", category, True

    def _plan_statuses(self, phone_number_id: str, wamid: str, payload: dict) -> None:
        with self.state.lock:
            plan = self.state.plan
            waba_id = self.state.waba_of.get(phone_number_id, "")
        pricing_type, category, billable = self._category(payload, waba_id)
        recipient = str(payload.get("to", "")).lstrip("+")
        names = list(plan.statuses)
        if plan.fail_code is not None:
            names = ["failed"]
        if plan.skip_delivered:
            names = [n for n in names if n != "delivered"]
        now = int(time.time())
        statuses = []
        for offset, name in enumerate(names):
            status: dict[str, Any] = {
                "id": wamid,
                "status": name,
                "timestamp": str(now + offset),
                "recipient_id": recipient,
            }
            if name in ("sent", "delivered"):
                status["pricing"] = {
                    "billable": billable,
                    "pricing_model": "PMP",
                    "type": pricing_type,
                    "category": category,
                }
            if name == "failed":
                _, envelope = error_envelope(plan.fail_code or 131026)
                error = envelope["error"]
                status["errors"] = [
                    {
                        "code": error["code"],
                        "title": error["message"].split(") ", 1)[-1],
                        "message": error["message"].split(") ", 1)[-1],
                        "error_data": {"details": error["error_data"]["details"]},
                    }
                ]
            statuses.append(status)
        if plan.duplicates:
            statuses = [s for s in statuses for _ in (0, 1)]
        if plan.reorder:
            statuses.reverse()
        with self.state.lock:
            for status in statuses:
                self.state.statuses.append({"phone_number_id": phone_number_id, "status": status})
            callback = self.state.callback_url
        if callback:
            for status in statuses:
                self._outbox.put((callback, phone_number_id, waba_id, status, plan.delay))

    def _emit_loop(self) -> None:
        client = httpx.Client(timeout=5.0)
        while True:
            item = self._outbox.get()
            if item is None:
                return
            callback, phone_number_id, waba_id, status, delay = item
            time.sleep(delay)
            with self.state.lock:
                display = self.state.display_of.get(phone_number_id, "")
            body = webhook_body(waba_id, phone_number_id, display, [status])
            try:
                response = client.post(
                    callback,
                    content=body,
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, self.app_secret)},
                )
                self.emitted.append((body, response.status_code))
            except httpx.HTTPError as exc:
                logger.warning("fake graph: status webhook failed: %s", exc)
                self.emitted.append((body, None))
