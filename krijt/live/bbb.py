"""A client of the BigBlueButton API (https://docs.bigbluebutton.org/development/api/).

Every call is a GET on <base>api/<call>?<query>&checksum=<hash>, where the hash is SHA-256 of the call's name,
the query string and the server's shared secret (BigBlueButton tells the algorithm from the hash's length).
Answers are XML with a returncode of SUCCESS or FAILED. Calls time out after a few seconds; the caller feeds
the circuit breaker (krijt.live.breaker).

`create` is idempotent on the server's side: creating a meeting that exists answers SUCCESS (with a
duplicateWarning) and changes nothing, so a retried or repeated create is harmless.
A join address is made here, not fetched: it is the signed join call itself, which the browser is redirected to.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from defusedxml import ElementTree

logger = logging.getLogger(__name__)

# Seconds to connect and to wait for an answer: a slow server counts as failing, not as a queue.
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 3.0


class Unavailable(Exception):
    """The server did not answer, answered too slowly or with an error page."""


class Refused(Exception):
    """The server answered FAILED (a wrong secret, an unknown meeting, ...)."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


@dataclass(frozen=True)
class Server:
    base: str  # https://bbb.example.org/bigbluebutton/
    secret: str


def base_url(url: str) -> str:
    """The API's base as schools paste it: with or without a trailing "api" or slash."""
    url = url.strip()
    for tail in ("/api/", "/api"):
        if url.endswith(tail):
            url = url[: -len(tail)]
    return url if url.endswith("/") else url + "/"


def checksum(call: str, query: str, secret: str) -> str:
    return hashlib.sha256(f"{call}{query}{secret}".encode()).hexdigest()


def signed_url(server: Server, call: str, params: dict[str, Any]) -> str:
    query = urlencode(params)
    return f"{server.base}api/{call}?{query}&checksum={checksum(call, query, server.secret)}"


def _text(root: Any, tag: str) -> str:
    node = root.find(tag)
    return (node.text or "") if node is not None else ""


def call(server: Server, name: str, params: dict[str, Any]) -> Any:
    """The parsed answer of a successful call; Unavailable or Refused otherwise."""
    try:
        response = requests.get(signed_url(server, name, params), timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                                allow_redirects=False)
    except requests.RequestException as exc:
        raise Unavailable(type(exc).__name__) from exc
    if response.status_code != 200:
        raise Unavailable(f"HTTP {response.status_code}")
    try:
        root = ElementTree.fromstring(response.content)
    except Exception as exc:
        raise Unavailable("not an API answer") from exc
    if _text(root, "returncode") != "SUCCESS":
        raise Refused(_text(root, "messageKey") or "failed", _text(root, "message"))
    return root


@dataclass(frozen=True)
class MeetingIn:
    meeting_id: str
    name: str
    attendee_pw: str
    moderator_pw: str
    record: bool
    logout_url: str
    welcome: str


# Kind defaults for a class of children: no private chat between students, webcams seen by the teacher only,
# and a meeting that waits half an hour for its first person (it is created before the lesson).
CLASSROOM_DEFAULTS = {
    "lockSettingsDisablePrivateChat": "true",
    "lockSettingsLockOnJoin": "true",
    "webcamsOnlyForModerator": "true",
    "guestPolicy": "ALWAYS_ACCEPT",
    "meetingExpireIfNoUserJoinedInMinutes": "30",
}


def create(server: Server, meeting: MeetingIn) -> None:
    params = {
        "name": meeting.name, "meetingID": meeting.meeting_id, "attendeePW": meeting.attendee_pw,
        "moderatorPW": meeting.moderator_pw, "welcome": meeting.welcome, "logoutURL": meeting.logout_url,
        # Recordings only where the school allows them and the teacher chose them; never started by themselves.
        "record": "true" if meeting.record else "false", "autoStartRecording": "false",
        "allowStartStopRecording": "true" if meeting.record else "false",
        **CLASSROOM_DEFAULTS,
    }
    call(server, "create", params)


def join_url(server: Server, *, meeting_id: str, full_name: str, user_id: int, moderator: bool, password: str) -> str:
    return signed_url(server, "join", {
        "fullName": full_name, "meetingID": meeting_id, "role": "MODERATOR" if moderator else "VIEWER",
        "password": password, "userID": str(user_id), "redirect": "true",
    })


def is_running(server: Server, meeting_id: str) -> bool:
    return _text(call(server, "isMeetingRunning", {"meetingID": meeting_id}), "running") == "true"


def probe(server: Server) -> None:
    """The API's root answers its version without a checksum: Unavailable when the server does not."""
    try:
        response = requests.get(f"{server.base}api", timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False)
    except requests.RequestException as exc:
        raise Unavailable(type(exc).__name__) from exc
    if response.status_code != 200 or b"SUCCESS" not in response.content:
        raise Unavailable(f"HTTP {response.status_code}")
