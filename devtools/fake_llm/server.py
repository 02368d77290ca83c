"""``POST <prefix>/chat/completions`` the way OpenAI-compatible providers answer it, with scripted replies.

Each request takes the next scripted reply (tool calls, text, an HTTP error, or a delay longer than the client's
timeout); without a script it answers a short text. It follows the OpenAI wire format for what it accepts:
``stream: true`` answers server-sent events (``chat.completion.chunk`` objects, then ``data: [DONE]``; usage in a
last chunk when ``stream_options.include_usage``), ``response_format`` ``text``/``json_object``/``json_schema``
answers JSON content (``json_object`` needs the word "json" in the messages, as at OpenAI), a request it cannot
serve (no ``messages``, no ``model``, an unknown ``response_format``) is a 400, and every error body is
``{"error": {"message", "type", "param", "code"}}``, a 429 with ``Retry-After``. Every request body is recorded
(``.requests``) so tests can check the system prompt, tools and tool results.
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

# (type, code) of OpenAI's error bodies by HTTP status.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "invalid_value"),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "unknown_url"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", "server_error"),
    503: ("server_error", "service_unavailable"),
}
RESPONSE_FORMATS = {"text", "json_object", "json_schema"}


def error_body(status: int, message: str, *, param: str | None = None, code: str | None = None) -> dict:
    type_, default_code = ERRORS.get(status, ("server_error" if status >= 500 else "invalid_request_error", "error"))
    return {"error": {"message": message, "type": type_, "param": param, "code": code or default_code}}


@dataclass
class ScriptedReply:
    """What the next completion returns. ``tool_calls``: [(name, arguments dict)]; ``content``: the text."""

    content: str | None = None
    tool_calls: list[tuple[str, dict]] = field(default_factory=list)
    prompt_tokens: int = 100
    completion_tokens: int = 20
    status: int = 200
    delay_seconds: float = 0.0
    retry_after: int = 1  # seconds, on a 429

    def message(self, json_mode: bool) -> dict:
        content = self.content
        if json_mode and content is not None:
            try:
                json.loads(content)
            except ValueError:
                content = json.dumps({"content": content})
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{next(_ids)}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
                for name, arguments in self.tool_calls
            ]
        return message

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"

    @property
    def usage(self) -> dict:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }

    def as_completion(self, model: str, json_mode: bool = False) -> dict:
        return {
            "id": f"chatcmpl-fake{next(_ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": self.message(json_mode), "finish_reason": self.finish_reason, "logprobs": None}
            ],
            "usage": self.usage,
        }

    def as_chunks(self, model: str, json_mode: bool = False, include_usage: bool = False) -> list[dict]:
        """The same completion as stream chunks: the role, the content, each tool call, the finish reason."""
        message = self.message(json_mode)
        base = {"id": f"chatcmpl-fake{next(_ids)}", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = model

        def chunk(delta: dict, finish: str | None = None) -> dict:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}

        chunks = [chunk({"role": "assistant", "content": ""})]
        content = message.get("content") or ""
        chunks += [chunk({"content": content[i : i + 16]}) for i in range(0, len(content), 16)]
        for index, call in enumerate(message.get("tool_calls") or []):
            chunks.append(chunk({"tool_calls": [{"index": index, **call}]}))
        chunks.append(chunk({}, self.finish_reason))
        if include_usage:
            chunks.append({**base, "choices": [], "usage": self.usage})
        return chunks


def request_problem(body: Any) -> tuple[str, str] | None:
    """(param, message) of what OpenAI would refuse in a chat completion request; None when it is served."""
    if not isinstance(body, dict):
        return "body", "The request body must be a JSON object."
    if not body.get("model"):
        return "model", "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages", "[] is too short - 'messages'"
    if any(not isinstance(m, dict) or not m.get("role") for m in messages):
        return "messages", "Each message needs a role."
    response_format = body.get("response_format")
    if response_format is not None:
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if kind not in RESPONSE_FORMATS:
            return "response_format.type", f"Invalid value: {kind!r}. Supported values are: {sorted(RESPONSE_FORMATS)}."
        if kind == "json_object" and "json" not in json.dumps(messages).lower():
            return (
                "messages",
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
            )
        if kind == "json_schema" and not isinstance(response_format.get("json_schema"), dict):
            return "response_format.json_schema", "Missing required parameter: 'response_format.json_schema'."
    if body.get("stream") not in (None, True, False):
        return "stream", "stream must be a boolean."
    return None


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no ~40 ms Nagle/delayed-ACK stall between headers and body

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _reply(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def _stream(self, chunks: list[dict]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?")[0].rstrip("/") != f"{fake.prefix}/chat/completions":
            return self._reply(404, error_body(404, f"Invalid URL (POST {self.path})"))
        if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            return self._reply(401, error_body(401, "Incorrect API key provided."))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._reply(
                400, error_body(400, "We could not parse the JSON body of your request.", code="invalid_json")
            )
        problem = request_problem(body)
        if problem is not None:
            return self._reply(400, error_body(400, problem[1], param=problem[0]))
        with fake.lock:
            fake.requests.append(body)
            reply = fake.script.pop(0) if fake.script else ScriptedReply(content=fake.default_content)
        if reply.delay_seconds:
            fake.released.wait(reply.delay_seconds)
        if reply.status != 200:
            headers = {"Retry-After": str(reply.retry_after)} if reply.status == 429 else None
            return self._reply(reply.status, error_body(reply.status, "scripted failure"), headers)
        json_mode = (body.get("response_format") or {}).get("type") in ("json_object", "json_schema")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return self._stream(reply.as_chunks(body["model"], json_mode, include_usage))
        return self._reply(200, reply.as_completion(body["model"], json_mode))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLMServer


class FakeLLMServer:
    """Start with ``.start()``; ``base_url`` ends in ``prefix`` (``/v1`` like most providers' by default)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = "",
        default_content: str = "OK",
        prefix: str = "/v1",
    ):
        self.api_key = api_key
        self.default_content = default_content
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
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
        return f"http://{host}:{port}{self.prefix}"

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

    def fail_next(self, status: int = 500, retry_after: int = 1) -> None:
        self.add(ScriptedReply(status=status, retry_after=retry_after))

    def hang_next(self, seconds: float = 30.0) -> None:
        """The next request answers only after ``seconds`` (or at stop): longer than the client's timeout."""
        self.add(ScriptedReply(content="too late", delay_seconds=seconds))
