"""The server never posts a push inside its own network, whatever endpoint a browser (or a student) sent."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import requests
from django.test import override_settings
from requests.adapters import HTTPAdapter

from krijt.webpush import guard, sender
from krijt.webpush.models import PushSubscription
from krijt.webpush.tests.conftest import Browser, PushService
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

PAYLOAD = {"title": "t", "body": "b", "url": "/"}


def test_a_stored_endpoint_inside_the_network_is_refused_at_send_time_without_a_connection(
        scenario: Scenario, push_service: PushService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sender, "_session", guard.GuardedSession)  # the real one
    port = push_service.port
    for endpoint in (f"http://127.0.0.1:{port}/ok/a", f"https://127.0.0.1:{port}/ok/b", f"https://127.1:{port}/ok/c",
                     f"https://localhost:{port}/ok/d"):
        # Rows written before the rules (or straight into the table) are checked again before every send.
        PushSubscription.objects.create(user=scenario.student, endpoint=endpoint,
                                        p256dh=Browser.new().p256dh, auth=Browser.new().auth_b64)
    results = sender.send_push(scenario.student.pk, PAYLOAD)
    assert len(results) == 4
    assert not any(r.ok for r in results)
    assert push_service.received == []


@override_settings(KRIJT_PUSH_SERVICE_HOSTS=["push.school.example"])
def test_a_known_name_that_resolves_inside_the_network_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    connected: list[Any] = []

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "push.school.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(guard.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(guard.socket.socket, "connect", lambda self, address: connected.append(address))
    with pytest.raises(requests.ConnectionError, match="not public"):
        guard.GuardedSession().post("https://push.school.example/x", data=b"")
    assert connected == []  # refused before any connection, even to the public address beside it


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "fd00:ec2::254", "not an address",
])
def test_only_global_unicast_addresses_are_allowed(address: str) -> None:
    assert not guard.address_allowed(address)


@pytest.mark.parametrize("address", ["142.250.74.106", "2a00:1450:400e:80e::200a", "63.245.208.195"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert guard.address_allowed(address)


def test_a_redirect_is_never_followed(push_service: PushService, monkeypatch: pytest.MonkeyPatch) -> None:
    # The guarded session against the loopback test service: endpoint and address checks opened for plain
    # HTTP on 127.0.0.1, so that only the redirect rule is under test.
    monkeypatch.setattr(guard, "endpoint_problem", lambda endpoint: None)
    session = guard.GuardedSession()
    session.mount("http://", HTTPAdapter())
    response = session.post(push_service.url("redirect"), data=b"x")
    assert response.status_code == 307
    assert [r.path.split("/")[1] for r in push_service.received] == ["redirect"]


def test_an_unusable_key_on_one_device_does_not_stop_the_others(
        scenario: Scenario, push_service: PushService) -> None:
    broken = PushSubscription.objects.create(user=scenario.student, endpoint=push_service.url(),
                                             p256dh="BA" + "A" * 85, auth=Browser.new().auth_b64)
    phone = Browser.new()
    good = phone.subscribe(scenario.student, push_service.url())
    results = {r.subscription_id: r for r in sender.send_push(scenario.student.pk, PAYLOAD)}
    assert results[good.pk].ok
    assert not results[broken.pk].ok
    assert results[broken.pk].retry
    assert len(push_service.for_endpoint(good.endpoint)) == 1


def test_the_guarded_connection_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    asked: list[str] = []
    def resolve(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(guard.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(guard, "address_allowed", lambda address: address == "127.0.0.1")  # stands in for public
    connection = guard._GuardedConnection("push.school.example", 443, timeout=2)
    sock = connection._new_conn()
    try:
        assert sock.getpeername() == ("127.0.0.1", port)
        assert asked == ["push.school.example"]
    finally:
        sock.close()
        listener.close()
