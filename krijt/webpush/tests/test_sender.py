"""send_push against a real push service on 127.0.0.1: encrypted, signed, and honest about failures."""

from __future__ import annotations

import base64
import json
import time

import pytest
import time_machine
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from krijt.webpush import sender
from krijt.webpush.models import PushSubscription
from krijt.webpush.sender import send_push
from krijt.webpush.tests.conftest import Browser, PushService
from krijt.webpush.vapid import b64url_decode, keys, subject
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

PAYLOAD = {"title": "Nieuw bericht", "body": "Morgen géén turnles", "url": "/s/alpha/messages/1", "tag": "message:1"}


def verify_vapid(authorization: str, audience: str) -> dict[str, object]:
    """Checks the VAPID header (RFC 8292) the way a push service does; returns the claims."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == keys().public_key
    header, claims, signature = fields["t"].split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(fields["k"]))
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    body = json.loads(b64url_decode(claims))
    assert body["aud"] == audience
    assert body["sub"] == subject()
    assert body["exp"] > time.time()
    return body


def test_every_device_of_the_person_gets_the_payload_encrypted_and_signed(
    scenario: Scenario, push_service: PushService
) -> None:
    phone, laptop, stranger = Browser.new(), Browser.new(), Browser.new()
    sub_phone = phone.subscribe(scenario.student, push_service.url())
    sub_laptop = laptop.subscribe(scenario.student, push_service.url())
    sub_other = stranger.subscribe(scenario.students[1], push_service.url())

    results = send_push(scenario.student.pk, PAYLOAD)

    assert sorted(r.subscription_id for r in results) == sorted([sub_phone.pk, sub_laptop.pk])
    assert all(r.ok and r.status == 201 and not r.retry for r in results)
    assert push_service.for_endpoint(sub_other.endpoint) == []
    for browser, subscription in ((phone, sub_phone), (laptop, sub_laptop)):
        [request] = push_service.for_endpoint(subscription.endpoint)
        assert request.headers["content-encoding"] == "aes128gcm"
        assert int(request.headers["ttl"]) == sender.TTL_SECONDS
        assert PAYLOAD["body"] not in request.body.decode("latin-1")  # encrypted on the wire
        assert json.loads(browser.decrypt(request.body)) == PAYLOAD
        verify_vapid(request.headers["authorization"], f"http://127.0.0.1:{push_service.port}")
        subscription.refresh_from_db()
        assert subscription.last_success_at is not None
        assert subscription.failures == 0


def test_one_device_cannot_read_anothers_push(scenario: Scenario, push_service: PushService) -> None:
    phone, eavesdropper = Browser.new(), Browser.new()
    subscription = phone.subscribe(scenario.student, push_service.url())
    send_push(scenario.student.pk, PAYLOAD)
    [request] = push_service.for_endpoint(subscription.endpoint)
    with pytest.raises(Exception):  # noqa: B017, PT011  (http_ece raises a bare InvalidTag or ECEException)
        eavesdropper.decrypt(request.body)


def test_a_tampered_vapid_signature_is_noticed_by_the_check(scenario: Scenario, push_service: PushService) -> None:
    """The signature check above is real: it rejects a token signed by another key."""
    subscription = Browser.new().subscribe(scenario.student, push_service.url())
    send_push(scenario.student.pk, PAYLOAD)
    [request] = push_service.for_endpoint(subscription.endpoint)
    header = request.headers["authorization"]
    token = header.split("t=", 1)[1].split(",", 1)[0]
    forged_signature = base64.urlsafe_b64encode(bytes(64)).rstrip(b"=").decode()
    forged = header.replace(token, token.rsplit(".", 1)[0] + "." + forged_signature)
    with pytest.raises(InvalidSignature):
        verify_vapid(forged, f"http://127.0.0.1:{push_service.port}")


@pytest.mark.parametrize("kind", ["gone", "missing"])
def test_an_unsubscribed_device_is_removed(scenario: Scenario, push_service: PushService, kind: str) -> None:
    kept = Browser.new().subscribe(scenario.student, push_service.url())
    gone = Browser.new().subscribe(scenario.student, push_service.url(kind))

    results = {r.subscription_id: r for r in send_push(scenario.student.pk, PAYLOAD)}

    assert results[gone.pk].gone
    assert not results[gone.pk].ok
    assert not results[gone.pk].retry
    assert results[gone.pk].status == (410 if kind == "gone" else 404)
    assert results[kept.pk].ok
    assert list(PushSubscription.objects.filter(user=scenario.student)) == [kept]


def test_a_push_service_error_is_a_failure_to_retry(scenario: Scenario, push_service: PushService) -> None:
    subscription = Browser.new().subscribe(scenario.student, push_service.url("fail"))

    [result] = send_push(scenario.student.pk, PAYLOAD)
    [again] = send_push(scenario.student.pk, PAYLOAD)

    assert not result.ok
    assert result.retry
    assert result.status == 500
    assert "500" in result.error
    assert again.retry
    subscription.refresh_from_db()
    assert subscription.failures == 2
    assert subscription.last_success_at is None


def test_a_later_success_clears_the_failures(scenario: Scenario, push_service: PushService) -> None:
    subscription = Browser.new().subscribe(scenario.student, push_service.url())
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=3)
    with time_machine.travel("2026-10-05 08:00 +02:00", tick=False):
        send_push(scenario.student.pk, PAYLOAD)
    subscription.refresh_from_db()
    assert subscription.failures == 0
    assert subscription.last_success_at is not None
    assert subscription.last_success_at.isoformat().startswith(
        "2026-10-05T06:00"
    )


def test_an_unreachable_or_slow_service_is_a_failure_to_retry(
    scenario: Scenario, push_service: PushService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender, "TIMEOUT", 0.5)
    slow = Browser.new().subscribe(scenario.student, push_service.url("slow"))
    closed = Browser.new().subscribe(scenario.student, "http://127.0.0.1:9/closed")

    results = {r.subscription_id: r for r in send_push(scenario.student.pk, PAYLOAD)}

    for subscription in (slow, closed):
        result = results[subscription.pk]
        assert result.retry
        assert result.status is None
        assert result.error
    assert PushSubscription.objects.filter(user=scenario.student).count() == 2


def test_nobody_to_push_to_is_an_empty_list(scenario: Scenario) -> None:
    assert send_push(scenario.student.pk, PAYLOAD) == []


def test_a_long_text_is_shortened_to_fit_a_push_message(scenario: Scenario, push_service: PushService) -> None:
    browser = Browser.new()
    subscription = browser.subscribe(scenario.student, push_service.url())
    payload = {**PAYLOAD, "body": "é" * 5000}

    [result] = send_push(scenario.student.pk, payload)

    assert result.ok
    [request] = push_service.for_endpoint(subscription.endpoint)
    assert len(request.body) <= 4096
    received = json.loads(browser.decrypt(request.body))
    assert received["title"] == PAYLOAD["title"]
    assert received["body"].endswith("…")
    assert 0 < len(received["body"].encode()) <= sender.MAX_PAYLOAD_BYTES


def test_deleting_a_person_deletes_their_devices(scenario: Scenario, push_service: PushService) -> None:
    Browser.new().subscribe(scenario.student, push_service.url())
    scenario.student.delete()
    assert not PushSubscription.objects.exists()
