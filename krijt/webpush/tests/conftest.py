"""A real push service on 127.0.0.1 and browsers with their own keys, for the web push tests."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from krijt.webpush import sender
from krijt.webpush.models import PushSubscription
from krijt.webpush.vapid import b64url


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    """Answers by path: /gone/ 410, /missing/ 404, /fail/ 500, /redirect/ 307, /slow/ never in time, else 201."""

    port: int
    received: list[Received] = field(default_factory=list)

    def url(self, kind: str = "ok") -> str:
        return f"http://127.0.0.1:{self.port}/{kind}/{secrets.token_urlsafe(12)}"

    def for_endpoint(self, endpoint: str) -> list[Received]:
        path = endpoint.split(str(self.port), 1)[1]
        return [r for r in self.received if r.path == path]


_plain = threading.local()


def _plain_session() -> requests.Session:
    if not hasattr(_plain, "session"):
        _plain.session = requests.Session()
    return _plain.session  # type: ignore[no-any-return]


@pytest.fixture
def push_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[PushService]:
    service = PushService(port=0)
    stop_slow = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            service.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            kind = self.path.split("/")[1]
            if kind == "slow":
                stop_slow.wait(5)
            status = {"gone": 410, "missing": 404, "fail": 500, "redirect": 307}.get(kind, 201)
            self.send_response(status)
            if status == 307:
                self.send_header("Location", "/ok/redirected")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    service.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # requests must reach 127.0.0.1 directly, whatever proxy the environment names.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    # The test service lives on loopback over plain HTTP, which the real guard refuses (test_guard.py):
    # these tests use an unguarded session to see what reaches a push service.
    monkeypatch.setattr(sender, "_session", _plain_session)
    try:
        yield service
    finally:
        stop_slow.set()
        server.shutdown()
        server.server_close()


@dataclass
class Browser:
    """What a browser keeps for one push subscription: its ECDH key and auth secret."""

    key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Browser:
        return cls(ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth_b64(self) -> str:
        return b64url(self.auth)

    def subscribe(self, user: Any, endpoint: str) -> PushSubscription:
        # Straight to the table: the service only accepts public HTTPS push services, not 127.0.0.1.
        return PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=self.p256dh, auth=self.auth_b64)

    def decrypt(self, body: bytes) -> bytes:
        return bytes(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))
