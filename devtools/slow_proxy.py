"""A loopback proxy in front of the local endpoint that puts the network's cost back: a fixed latency per
request, a request-rate limit per API action, and (for tests) a share of requests throttled at random.
Throttled requests get ECR's throttling error shape (HTTP 400, ``{"__type": "ThrottlingException", ...}``),
which botocore's retry modes treat as throttling; REST services (Lambda) get their 429 equivalent."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class _Bucket:
    def __init__(self, rate: float) -> None:
        self.rate, self.tokens, self.stamp = rate, max(1.0, rate), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class SlowProxy:
    """Counts every request by action (``requests``) and every throttled one (``throttled``)."""

    def __init__(
        self, upstream: str, latency: float, rate: float | None, throttle_share: float, only: str | None, seed: int
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.latency, self.rate, self.throttle_share, self.only = latency, rate, throttle_share, only
        self.random = random.Random(seed)
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def admit(self, action: str) -> bool:
        with self._lock:
            self.requests[action] += 1
            limited = self.rate is not None and not self._buckets.setdefault(action, _Bucket(self.rate)).take()
            chosen = self.only is None or action == self.only
            unlucky = chosen and self.throttle_share > 0 and self.random.random() < self.throttle_share
            if limited or unlucky:
                self.throttled[action] += 1
                return False
            return True

    def connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=60)
            self._local.conn = conn
        return conn


def _action(handler: BaseHTTPRequestHandler, body: bytes) -> str:
    target = handler.headers.get("X-Amz-Target")
    if target:  # JSON protocol (ECR, ECS): "Service_Version.Action"
        return target.rsplit(".", 1)[-1]
    if "x-www-form-urlencoded" in (handler.headers.get("Content-Type") or ""):  # query protocol (STS, IAM)
        return parse_qs(body.decode(errors="replace")).get("Action", ["?"])[0]
    parts = [p for p in handler.path.split("?", 1)[0].split("/") if p]
    return f"{handler.command} /{'/'.join(parts[:2])}"  # REST (Lambda): method and the resource's kind


def _handler(proxy: SlowProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects

        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(proxy.latency)
            action = _action(self, body)
            if not proxy.admit(action):
                self._reply(*_throttled(self))
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            conn = proxy.connection()
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                raise
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
            self._reply(response.status, kept, data)

        def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        def log_message(self, *_: object) -> None:
            pass

    return Handler


def _throttled(handler: BaseHTTPRequestHandler) -> tuple[int, list[tuple[str, str]], bytes]:
    """Each protocol's throttling answer: JSON (ECR's shape), query (XML), REST JSON (Lambda's 429)."""
    if handler.headers.get("X-Amz-Target"):
        body = {"__type": "ThrottlingException", "message": "Rate exceeded"}
        return 400, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(body).encode()
    if "x-www-form-urlencoded" in (handler.headers.get("Content-Type") or ""):
        xml = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
        return 400, [("Content-Type", "text/xml")], f"{xml}</Error></ErrorResponse>".encode()
    body = {"Type": "User", "message": "Rate exceeded"}
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "TooManyRequestsException")]
    return 429, headers, json.dumps(body).encode()


@contextmanager
def slow_proxy(
    upstream: str,
    *,
    latency: float = 0.05,
    rate: float | None = None,
    throttle_share: float = 0.0,
    only: str | None = None,
    seed: int = 31,
) -> Iterator[tuple[str, SlowProxy]]:
    """Yield the proxy's URL (127.0.0.1, a free port) and its counters; stop it afterwards. ``throttle_share``
    of the requests (of action ``only``, when given) are throttled at random, whatever the rate."""
    proxy = SlowProxy(upstream, latency, rate, throttle_share, only, seed)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", proxy
    finally:
        server.shutdown()
        server.server_close()
