"""Join addresses of a Jitsi Meet server with token authentication (prosody's token module, HS256).

A token names the room, the person and whether they moderate, and expires TOKEN_SECONDS after it is made:
Jitsi checks it when the person connects, and a person who comes back later gets a new one through Krijt.
A server configured without a secret is an open Jitsi (such as meet.jit.si): rooms are Krijt's random names and
nobody gets moderator rights from Krijt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import jwt
import requests

from krijt.live.bbb import CONNECT_TIMEOUT, READ_TIMEOUT, Unavailable

TOKEN_SECONDS = 300
AUDIENCE = "jitsi"


@dataclass(frozen=True)
class Server:
    base: str  # https://meet.example.org/
    app_id: str
    secret: str


def base_url(url: str) -> str:
    url = url.strip()
    return url if url.endswith("/") else url + "/"


def token(server: Server, *, room: str, user_id: int, name: str, moderator: bool, now: dt.datetime) -> str:
    issued = int(now.timestamp())
    claims = {
        "aud": AUDIENCE, "iss": server.app_id, "sub": urlsplit(server.base).hostname or "", "room": room,
        "iat": issued, "nbf": issued - 10, "exp": issued + TOKEN_SECONDS,
        "moderator": moderator,
        "context": {"user": {"id": str(user_id), "name": name, "moderator": "true" if moderator else "false"}},
    }
    return jwt.encode(claims, server.secret, algorithm="HS256")


def join_url(server: Server, *, room: str, user_id: int, name: str, moderator: bool, now: dt.datetime) -> str:
    address = f"{server.base}{quote(room)}"
    if server.secret:
        address += "?jwt=" + token(server, room=room, user_id=user_id, name=name, moderator=moderator, now=now)
    return address + "#userInfo.displayName=" + quote(f'"{name}"')


def probe(server: Server) -> None:
    try:
        response = requests.head(server.base, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False)
    except requests.RequestException as exc:
        raise Unavailable(type(exc).__name__) from exc
    if response.status_code >= 500:
        raise Unavailable(f"HTTP {response.status_code}")
