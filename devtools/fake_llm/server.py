"""``POST /v1/chat/completions`` the way OpenAI-compatible providers answer it, with scripted replies.

Each request takes the next scripted reply (tool calls, text, an HTTP error, or a delay longer than the client's
timeout); without a script it answers a short text. Usage (prompt/completion tokens) is reported on every answer.
Every request body is recorded (``.requests``) so tests can check the system prompt, tools and tool results.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ids = itertools.count(1)


@dataclass
class ScriptedReply:
    """What the next completion returns. ``tool_calls``: [(name, arguments dict)]; ``content``: the text."""

    content: str | None = None
    tool_calls: list[tuple[str, dict]] = field(default_factory=list)
    prompt_tokens: int = 100
    completion_tokens: int = 20
    status: int = 200
    delay_seconds: float = 0.0

    def as_completion(self, model: str) -> dict:
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{next(_ids)}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
                for name, arguments in self.tool_calls
            ]
        return {
            "id": f"chatcmpl-fake{next(_ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if self.tool_calls else "stop"}],
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens,
            },
        }


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    disable_nagle_algorithm = True  # no ~40 ms Nagle/delayed-ACK stall between headers and body

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def do_POST(self) -> None:
        fake = self.server.fake
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._reply(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            return self._reply(401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_api_key"}})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._reply(400, {"error": {"message": "invalid JSON", "type": "invalid_request_error"}})
        with fake.lock:
            fake.requests.append(body)
            reply = fake.script.pop(0) if fake.script else ScriptedReply(content=fake.default_content)
        if reply.delay_seconds:
            fake.released.wait(reply.delay_seconds)
        if reply.status != 200:
            return self._reply(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
        return self._reply(200, reply.as_completion(body.get("model", "")))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLMServer


class FakeLLMServer:
    """Start with ``.start()``; ``base_url`` ends in ``/v1`` like a real provider's."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, api_key: str = "", default_content: str = "OK"):
        self.api_key = api_key
        self.default_content = default_content
        self.lock = threading.Lock()
        self.script: list[ScriptedReply] = []
        self.requests: list[dict] = []
        self.released = threading.Event()
        self.httpd = _HTTPServer((host, port), _Handler)
        self.httpd.fake = self
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeLLMServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.released.set()  # hung (delayed) handlers return at once
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, *replies: ScriptedReply) -> None:
        with self.lock:
            self.script.extend(replies)

    def reply_text(self, content: str, **usage: int) -> None:
        self.add(ScriptedReply(content=content, **usage))

    def call_tools(self, *calls: tuple[str, dict], **usage: int) -> None:
        self.add(ScriptedReply(tool_calls=list(calls), **usage))

    def fail_next(self, status: int = 500) -> None:
        self.add(ScriptedReply(status=status))

    def hang_next(self, seconds: float = 30.0) -> None:
        """The next request answers only after ``seconds`` (or at stop): longer than the client's timeout."""
        self.add(ScriptedReply(content="too late", delay_seconds=seconds))
