"""A small BigBlueButton stand-in for the tests: an HTTP server on a free port that checks each call's checksum
as BigBlueButton does (SHA-1, SHA-256, SHA-384 or SHA-512 by the hash's length, over the call's name, its query
without the checksum, and the shared secret) and answers create, join, isMeetingRunning, getMeetingInfo and end
in the API's XML. `mode` makes it fail: "down" answers 503, "slow" answers after `delay` seconds."""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ALGORITHMS = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}


def _xml(returncode: str, **fields: Any) -> bytes:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f"<response><returncode>{returncode}</returncode>{inner}</response>".encode()


def _failed(key: str, message: str) -> bytes:
    return _xml("FAILED", messageKey=key, message=html.escape(message))


@dataclass
class Meeting:
    params: dict[str, str]
    attendees: list[dict[str, str]] = field(default_factory=list)


class FakeBBB:
    def __init__(self, secret: str = "bbb-shared-secret") -> None:
        self.secret = secret
        self.meetings: dict[str, Meeting] = {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.mode = "up"
        self.delay = 1.0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.end_headers()

            def do_GET(self) -> None:
                status, body, kind = fake.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bigbluebutton/"

    def start(self) -> FakeBBB:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls_of(self, name: str) -> list[dict[str, str]]:
        return [params for call, params in self.calls if call == name]

    def answer(self, path: str) -> tuple[int, bytes, str]:
        if self.mode == "down":
            return 503, b"<html><body>502 Bad Gateway</body></html>", "text/html"
        if self.mode == "slow":
            time.sleep(self.delay)
        parts = urlsplit(path)
        if not parts.path.startswith("/bigbluebutton/api"):
            return 404, b"not found", "text/plain"
        call = parts.path.removeprefix("/bigbluebutton/api").strip("/")
        if not call:
            return 200, _xml("SUCCESS", version="2.0", apiVersion="2.0", bbbVersion="3.0.0"), "text/xml"
        found = parse_qs(parts.query, keep_blank_values=True)
        given = (found.pop("checksum", [""]) or [""])[0]
        query = re.sub(r"(&|^)checksum=[^&]*", "", parts.query)
        algorithm = ALGORITHMS.get(len(given))
        if algorithm is None or hashlib.new(algorithm, f"{call}{query}{self.secret}".encode()).hexdigest() != given:
            return 200, _failed("checksumError", "Checksums do not match"), "text/xml"
        params = {k: v[0] for k, v in found.items()}
        with self.lock:
            self.calls.append((call, params))
            return self._handle(call, params)

    def _handle(self, call: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        meeting_id = params.get("meetingID", "")
        meeting = self.meetings.get(meeting_id)
        if call == "create":
            if not meeting_id:
                return 200, _failed("missingParamMeetingID", "You must specify a meeting ID"), "text/xml"
            fields = {"meetingID": meeting_id, "internalMeetingID": hashlib.sha1(meeting_id.encode()).hexdigest(),
                      "createTime": "1733000000000", "hasBeenForciblyEnded": "false"}
            if meeting is not None:
                return 200, _xml("SUCCESS", **fields, attendeePW=meeting.params.get("attendeePW", ""),
                                 moderatorPW=meeting.params.get("moderatorPW", ""), messageKey="duplicateWarning",
                                 message="This conference was already in existence"), "text/xml"
            self.meetings[meeting_id] = Meeting(params)
            return 200, _xml("SUCCESS", **fields, attendeePW=params.get("attendeePW", ""),
                             moderatorPW=params.get("moderatorPW", "")), "text/xml"
        if meeting is None:
            return 200, _failed("notFound", "We could not find a meeting with that meeting ID"), "text/xml"
        if call == "join":
            role = params.get("role", "")
            if role not in ("MODERATOR", "VIEWER") or not params.get("fullName"):
                return 200, _failed("invalidRole", "A join needs a role and a name"), "text/xml"
            meeting.attendees.append({"name": params["fullName"], "role": role, "userID": params.get("userID", "")})
            page = (f"<!doctype html><html lang='en'><head><title>{html.escape(meeting.params.get('name', ''))}</title>"
                    f"</head><body><main><h1>In the meeting</h1><p>{html.escape(params['fullName'])} joined as "
                    f"{role.lower()}.</p></main></body></html>")
            return 200, page.encode(), "text/html; charset=utf-8"
        if call == "isMeetingRunning":
            return 200, _xml("SUCCESS", running="true" if meeting.attendees else "false"), "text/xml"
        if call == "getMeetingInfo":
            people = "".join(f"<attendee><userID>{a['userID']}</userID><fullName>{html.escape(a['name'])}</fullName>"
                             f"<role>{a['role']}</role></attendee>" for a in meeting.attendees)
            return 200, _xml("SUCCESS", meetingID=meeting_id, attendees=people,
                             participantCount=len(meeting.attendees)), "text/xml"
        if call == "end":
            del self.meetings[meeting_id]
            return 200, _xml("SUCCESS", messageKey="sentEndMeetingRequest"), "text/xml"
        return 200, _failed("unsupportedRequest", "This request is not supported"), "text/xml"
