"""Shared pieces of the notification engine's tests: a test kind, a real SMTP server, a fake push sender."""

from __future__ import annotations

import email
import email.policy
import socket
import sys
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils.translation import gettext

from krijt.notifications import kinds

KIND = "test-note"


def render_note(params: Mapping[str, Any], language: str) -> kinds.Rendered:
    # "Student" is translated in every catalogue, so the language of an e-mail is visible in it.
    return kinds.Rendered(title=f"{gettext('Student')}: {params['subject']}", text=str(params.get("body", "")))


@pytest.fixture(autouse=True)
def _test_kind() -> None:
    kinds.register(KIND, render_note)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt]


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def smtp_settings(port: int) -> Any:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it."""
    server = SmtpServer(free_port())
    server.start()
    with smtp_settings(server.port):
        yield server
    server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """Django's SMTP backend pointed at a local port where nothing listens (yet): call .start() to bring it up."""
    server = SmtpServer(free_port())
    with smtp_settings(server.port):
        yield server
    server.stop()


@dataclass(frozen=True)
class FakePushResult:
    ok: bool
    error: str = ""


class FakePush:
    """Stands in for krijt.webpush.sender: records each push, answers per user (default: one device, ok)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []
        self.answers: dict[int, list[FakePushResult]] = {}

    def send_push(self, user_id: int, payload: dict[str, Any]) -> list[FakePushResult]:
        answer = self.answers.get(user_id, [FakePushResult(ok=True)])
        if any(r.ok for r in answer):
            self.sent.append((user_id, payload))
        return answer


@pytest.fixture
def push(monkeypatch: pytest.MonkeyPatch) -> FakePush:
    fake = FakePush()
    module = types.ModuleType("krijt.webpush.sender")
    module.send_push = fake.send_push  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "krijt.webpush.sender", module)
    return fake


@pytest.fixture
def no_push(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the web push module were not installed: importing its sender fails."""
    monkeypatch.setitem(sys.modules, "krijt.webpush.sender", None)
