"""The production reverse proxy (deploy/nginx/nginx.conf): Debian's nginx accepts it, and against a live nginx a client
that sends its headers or body slowly never reaches the upstream, so it cannot hold a gunicorn worker."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from dbops.cluster import free_port
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "nginx.conf"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"


def _config_for(tmp_path: Path, *, listen_port: int, upstream_port: int) -> Path:
    """The shipped config with only the two lines marked "test:" pointed at local ports."""
    text = CONF.read_text()
    text, listens = re.subn(r"listen \S+;\s+# test: listen", f"listen 127.0.0.1:{listen_port};", text)
    text, upstreams = re.subn(r"server \S+;\s+# test: upstream", f"server 127.0.0.1:{upstream_port};", text)
    assert listens == upstreams == 1
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    # Workers may run as an unprivileged user (as root nginx switches to "nobody"): let them write temp files.
    for sub in ("logs", "client_body_temp", "proxy_temp"):
        (tmp_path / sub).mkdir(exist_ok=True)
    os.chmod(tmp_path, 0o777)
    for sub in tmp_path.iterdir():
        if sub.is_dir():
            os.chmod(sub, 0o777)
    return path


def _nginx_args(nginx: str, tmp_path: Path, conf: Path, *extra: str) -> list[str]:
    directives = f"pid {tmp_path / 'nginx.pid'}; daemon off;"
    return [nginx, "-p", str(tmp_path), "-c", str(conf), "-g", directives, *extra]


def test_debian_nginx_accepts_the_config(tmp_path):
    nginx = require_tool("nginx")
    conf = _config_for(tmp_path, listen_port=free_port(), upstream_port=free_port())
    result = subprocess.run(_nginx_args(nginx, tmp_path, conf, "-t"), capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_config_limits_match_the_application():
    text = CONF.read_text()
    assert f"client_max_body_size {settings.DATA_UPLOAD_MAX_MEMORY_SIZE};" in text
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout", "proxy_read_timeout"):
        assert re.search(rf"^\s*{directive} \d+s;", text, re.M), directive
    assert "proxy_request_buffering on;" in text and "proxy_buffering on;" in text


def test_compose_publishes_nginx_and_not_gunicorn():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert "ports" not in services["web"]
    assert services["nginx"]["volumes"] == ["./nginx/nginx.conf:/etc/nginx/nginx.conf:ro"]
    assert services["web"]["environment"]["NUM_PROXIES"] == "1"


def test_the_image_defaults_to_debug_off():
    dockerfile = (ROOT / "Dockerfile").read_text()
    runtime = dockerfile[dockerfile.index("AS runtime") :]
    assert re.search(r"^\s*DEBUG=0\b", runtime, re.M)


class _Upstream(HTTPServer):
    """A one-request-at-a-time upstream (like one sync gunicorn worker) that records every request it reads."""

    def __init__(self):
        self.seen: list[tuple[str, str, bytes]] = []
        super().__init__(("127.0.0.1", 0), _UpstreamHandler)


class _UpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, body))
        reply = f"upstream saw {self.command} {self.path} with {len(body)} bytes".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.send_header("Connection", "close")  # one request per connection, like a sync gunicorn worker
        self.close_connection = True
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    nginx = require_tool("nginx")
    upstream = _Upstream()
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    port = free_port()
    conf = _config_for(tmp_path, listen_port=port, upstream_port=upstream.server_address[1])
    process = subprocess.Popen(
        _nginx_args(nginx, tmp_path, conf), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_until_listening(port, process)
        yield port, upstream
    finally:
        process.terminate()
        process.wait(timeout=30)
        upstream.shutdown()
        upstream.server_close()


def _wait_until_listening(port: int, process: subprocess.Popen) -> None:
    for _ in range(500):
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            threading.Event().wait(0.02)
    raise AssertionError("nginx did not start listening")


def _slow_clients(port: int) -> list[socket.socket]:
    """Three clients like the ones that stalled gunicorn: headers cut short, and headers plus one body byte."""
    heads = [
        b"GET /slow-headers HTTP/1.1\r\nHost: chairside\r\nX-Slow: ",
        b"POST /slow-body HTTP/1.1\r\nHost: chairside\r\nContent-Length: 1000\r\n\r\n{",
        b"POST /webhooks/whatsapp/ HTTP/1.1\r\nHost: chairside\r\nContent-Length: 50000\r\n\r\n{",
    ]
    clients = []
    for head in heads:
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        client.sendall(head)
        clients.append(client)
    return clients


def test_slow_clients_do_not_reach_the_upstream(proxy):
    port, upstream = proxy
    slow = _slow_clients(port)
    try:
        # While the slow clients hold their connections to nginx, the one-at-a-time upstream serves others.
        for n in range(3):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("POST", f"/fast/{n}", body=b'{"ok": true}', headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200
            assert response.read() == f"upstream saw POST /fast/{n} with 12 bytes".encode()
            connection.close()
        assert [path for _, path, _ in upstream.seen] == ["/fast/0", "/fast/1", "/fast/2"]
    finally:
        for client in slow:
            client.close()


def test_a_chunked_body_reaches_the_upstream_whole(proxy):
    port, upstream = proxy
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/webhooks/whatsapp/", body=iter([b'{"entry":', b" []}"]), encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 200
    assert upstream.seen == [("POST", "/webhooks/whatsapp/", b'{"entry": []}')]


def test_a_body_over_the_webhook_limit_is_refused_before_the_upstream(proxy):
    port, upstream = proxy
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/webhooks/whatsapp/", body=b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert connection.getresponse().status == 413
    assert upstream.seen == []
