"""A virus scan of a stored file by a ClamAV daemon (clamd), over its INSTREAM command: the bytes are sent in
chunks, the daemon answers "stream: OK" or "stream: <name> FOUND". Configured by KRIJT_CLAMD ("host:port"
or "unix:/run/clamav/clamd.ctl"); without it nothing is scanned. Called from a worker, never in a request."""

from __future__ import annotations

import socket
from typing import IO

from django.conf import settings

CHUNK = 64 * 1024
TIMEOUT = 60.0


class ScannerUnavailable(Exception):
    """The daemon cannot be reached or answered something else than a verdict: try again later."""


def address() -> str:
    return str(getattr(settings, "KRIJT_CLAMD", "") or "")


def _connect(where: str) -> socket.socket:
    if where.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        sock.connect(where.removeprefix("unix:"))
        return sock
    host, _sep, port = where.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=TIMEOUT)


def scan(stream: IO[bytes], *, where: str | None = None) -> str | None:
    """The name of the virus found, or None for a clean file. ScannerUnavailable when there is no verdict."""
    target = where or address()
    try:
        with _connect(target) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
            sock.sendall(b"\0\0\0\0")
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except (OSError, ValueError) as error:
        raise ScannerUnavailable(str(error)) from error
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" FOUND"):
        return text.removeprefix("stream:").removesuffix(" FOUND").strip() or "unknown"
    if text.endswith(": OK") or text == "stream: OK":
        return None
    raise ScannerUnavailable(text or "no answer")
