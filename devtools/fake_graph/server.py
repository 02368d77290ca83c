"""A fake WhatsApp Cloud API (Graph API) on loopback, speaking the 2026 wire format, for tests and the local demo.

It answers ``POST /<version>/<phone_number_id>/messages`` (send by ``to`` or ``recipient``, mark as read) and
``GET|POST|DELETE /<version>/<waba_id>/message_templates``, checks the bearer token per phone number id, refuses what
Meta refuses with Meta's codes and HTTP statuses (``validation.py``), can be told to fail (``control.py``), records
every request, and emits signed status webhooks with ``contacts`` (``webhooks.py``), optionally duplicated,
reordered or without ``delivered``; ``user_writes()`` (or ``POST /_fake/inbound``) sends a user's message.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import queue
import secrets
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from devtools.fake_graph.control import control
from devtools.fake_graph.errors import GraphError, error_envelope
from devtools.fake_graph.state import FakeGraphState, Injection, SentMessage, StatusPlan, TemplateLookup
from devtools.fake_graph.templates import template_edit, template_waba, templates_call
from devtools.fake_graph.validation import check_send
from devtools.fake_graph.webhooks import WhatsAppUser, build_statuses, inbound_value, sign, status_value, webhook_body

logger = logging.getLogger("chairside.fake_graph")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Keep-alive with headers and body written separately: without TCP_NODELAY, Nagle plus the client's delayed ACK
    # held every response for ~40 ms (measured: 44 ms per request, 0.5 ms with it).
    disable_nagle_algorithm = True
    token = ""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake graph: " + format, *args)

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
        fake = self.server.fake
        with fake.state.lock:
            fake.state.requests.append(
                {"method": method, "path": parsed.path, "query": query, "json": body, "headers": dict(self.headers)}
            )
        if parts and parts[0] == "_fake":
            return self._reply(*control(fake, method, parts[1] if len(parts) > 1 else "", body))
        if len(parts) == 2 and parts[0].startswith("v") and method == "POST":
            waba_id = template_waba(fake.state, parts[1])
            if waba_id is None:
                return self._reply(*error_envelope(100, f"Object with ID '{parts[1]}' does not exist"))
            if self._authorized(waba_id):
                self._reply(*template_edit(fake.state, parts[1], body if isinstance(body, dict) else {}))
            return None
        if len(parts) != 3 or not parts[0].startswith("v"):
            return self._reply(*error_envelope(100, "Unknown path"))
        _version, object_id, edge = parts
        if not self._authorized(object_id):
            return None
        if edge == "messages" and method == "POST":
            return self._messages(object_id, body)
        if edge == "message_templates":
            url = f"{fake.base_url}{parsed.path}"
            return self._reply(*templates_call(fake.state, method, object_id, query, body, url))
        return self._reply(*error_envelope(100, f"Unsupported {method} request on {edge}"))

    def do_POST(self) -> None:
        self._route("POST")

    def do_GET(self) -> None:
        self._route("GET")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _authorized(self, object_id: str) -> bool:
        state = self.server.fake.state
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

    def _messages(self, phone_number_id: str, body: Any) -> None:
        fake = self.server.fake
        state = fake.state
        if isinstance(body, dict) and body.get("status") == "read" and body.get("messaging_product") == "whatsapp":
            with state.lock:
                state.read_marks.append(body.get("message_id", ""))
            return self._reply(200, {"success": True})
        injection = state.take_injection()
        if injection is not None:
            if injection.kind == "timeout":
                time.sleep(fake.timeout_seconds)
                return self._reply(500, raw=b"")
            if injection.kind == "server_error":
                return self._reply(injection.status, raw=b"<html><body>Service Unavailable</body></html>")
            return self._reply(*error_envelope(injection.code or 131000))
        try:
            address = check_send(body, lambda name, lang: state.template_of(phone_number_id, name, lang))
        except GraphError as exc:
            return self._reply(*error_envelope(exc.code, exc.details))
        user = state.user_for(address)
        time.sleep(fake.latency_seconds)
        wamid = "wamid." + base64.b64encode(f"FAKE{address}{secrets.token_hex(12)}".encode()).decode().rstrip("=")
        with state.lock:
            state.sent.append(SentMessage(phone_number_id, wamid, body, self.token))
        by_phone = "to" in body and bool(body["to"])
        contact = {"input": address, "wa_id": user.wa_id} if by_phone else {"input": address, "user_id": user.bsuid}
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": wamid, "message_status": "accepted"}]
            if body["type"] == "template"
            else [{"id": wamid}],
        }
        # Planned before answering: whoever holds the wamid can read its statuses (they are emitted after a delay).
        fake.plan_statuses(phone_number_id, wamid, body, user, by_phone)
        self._reply(200, answer)
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeGraphServer

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client closed its keep-alive connection: normal
        super().handle_error(request, client_address)


class FakeGraphServer:
    """Start with ``start()`` (or ``serve_forever()``); ``base_url`` is what WHATSAPP_GRAPH_BASE_URL should be."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        callback_url: str | None = None,
        app_secret: str = "dev-app-secret",  # noqa: S107 (the local default, like settings)
        accept_unknown_tokens: bool = False,
        token_lookup: Callable[[str], tuple[str, str] | None] | None = None,
        template_lookup: TemplateLookup | None = None,
        timeout_seconds: float = 3.0,
        latency_seconds: float = 0.0,  # Meta's own time per send (network + processing: 50-300 ms); 0 answers at once
    ):
        self.state = FakeGraphState(
            accept_unknown_tokens=accept_unknown_tokens, token_lookup=token_lookup, template_lookup=template_lookup
        )
        self.state.callback_url = callback_url
        self.app_secret = app_secret
        self.timeout_seconds = timeout_seconds
        self.latency_seconds = latency_seconds
        self.httpd = _Server((host, port), _Handler)
        self.httpd.fake = self
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
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
        self._start_emitter()
        return self

    def serve_forever(self) -> None:
        self._start_emitter()
        self.httpd.serve_forever()

    def _start_emitter(self) -> None:
        self._emitter = threading.Thread(target=self._emit_loop, name="fake-graph-webhooks", daemon=True)
        self._emitter.start()

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
            self.state.display_of[phone_number_id] = "".join(ch for ch in display_phone_number if ch.isdigit())

    def register_salon(self, salon) -> None:
        """Accept this salon's token for its phone number id and WABA."""
        from messaging.whatsapp.client import salon_token

        self.register(
            phone_number_id=salon.phone_number_id,
            token=salon_token(salon),
            waba_id=salon.waba_id,
            display_phone_number=salon.display_phone_number,
        )

    def add_template(self, waba_id: str, template: dict) -> None:
        """Meta knows this template (name, language, status, category, parameter_format, components): from now on
        every template sent from the WABA is checked against the WABA's known templates."""
        with self.state.lock:
            self.state.templates.setdefault(waba_id, []).append({"id": str(len(self.state.templates) + 1), **template})

    def add_user(self, user: WhatsAppUser) -> WhatsAppUser:
        """A WhatsApp user the fake knows (a username user withholds their phone with ``share_phone=False``)."""
        return self.state.add_user(user)

    def fail_next(self, code: int, n: int = 1) -> None:
        """The next ``n`` sends answer Meta's error envelope with this ``error.code`` (and its HTTP status)."""
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
        if "statuses" in plan:
            plan["statuses"] = tuple(plan["statuses"])
        new = StatusPlan(**plan)
        with self.state.lock:
            self.state.plan = new

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

    def webhooks_for(self, wamid: str | None = None) -> list[bytes]:
        """The bodies of the status webhooks generated (emitted or not), as Meta would POST them."""
        with self.state.lock:
            return [s["body"] for s in self.state.statuses if wamid is None or s["status"]["id"] == wamid]

    def templates(self, waba_id: str) -> list[dict]:
        with self.state.lock:
            return [dict(t) for t in self.state.templates.get(waba_id, [])]

    def set_template_status(self, waba_id: str, name: str, status: str) -> None:
        with self.state.lock:
            for template in self.state.templates.get(waba_id, []):
                if template["name"] == name:
                    template["status"] = status

    # --- webhooks -----------------------------------------------------------------------------------------------
    def _where(self, phone_number_id: str) -> tuple[str, str]:
        with self.state.lock:
            return self.state.waba_of.get(phone_number_id, ""), self.state.display_of.get(phone_number_id, "")

    def user_writes(self, user: WhatsAppUser, *, text: str = "Hi", phone_number_id: str = "") -> dict:
        """``user`` sends a text to the business number: the signed message webhook goes to the callback (if any);
        returns its ``value``."""
        self.state.add_user(user)
        if not phone_number_id:
            with self.state.lock:
                phone_number_id = next(iter(self.state.waba_of), "") or next(iter(self.state.display_of), "")
        value = inbound_value(user, text=text)
        waba_id, display = self._where(phone_number_id)
        with self.state.lock:
            callback = self.state.callback_url
        if callback:
            self._outbox.put((callback, webhook_body(waba_id, phone_number_id, display, value), 0.0))
        return value

    def _pricing(self, payload: dict, waba_id: str) -> tuple[str, str, bool]:
        """(pricing type, category, billable) as Meta would report them for this message."""
        if payload.get("type") != "template":
            return "free_customer_service", "service", False
        name = (payload.get("template") or {}).get("name")
        category = "utility"
        with self.state.lock:
            for template in self.state.templates.get(waba_id, []):
                if template["name"] == name:
                    category = str(template.get("category", "UTILITY")).lower()
        return "regular", category, True

    def plan_statuses(self, phone_number_id: str, wamid: str, payload: dict, user: WhatsAppUser, by_phone: bool):
        with self.state.lock:
            plan = self.state.plan
        waba_id, display = self._where(phone_number_id)
        names = ["failed"] if plan.fail_code is not None else list(plan.statuses)
        if plan.skip_delivered:
            names = [n for n in names if n != "delivered"]
        statuses = build_statuses(
            wamid=wamid,
            user=user,
            by_phone=by_phone,
            names=names,
            pricing=self._pricing(payload, waba_id),
            fail_code=plan.fail_code,
        )
        if plan.duplicates:
            statuses = [s for s in statuses for _ in (0, 1)]
        if plan.reorder:
            statuses.reverse()
        bodies = [
            webhook_body(waba_id, phone_number_id, display, status_value(s, user, by_phone=by_phone)) for s in statuses
        ]
        with self.state.lock:
            for status, body in zip(statuses, bodies, strict=True):
                self.state.statuses.append({"phone_number_id": phone_number_id, "status": status, "body": body})
            callback = self.state.callback_url
        if callback:
            for body in bodies:
                self._outbox.put((callback, body, plan.delay))

    def _emit_loop(self) -> None:
        client = httpx.Client(timeout=5.0)
        while True:
            item = self._outbox.get()
            if item is None:
                return
            callback, body, delay = item
            time.sleep(delay)
            try:
                response = client.post(
                    callback,
                    content=body,
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, self.app_secret)},
                )
                self.emitted.append((body, response.status_code))
            except httpx.HTTPError as exc:
                logger.warning("fake graph: webhook failed: %s", exc)
                self.emitted.append((body, None))
