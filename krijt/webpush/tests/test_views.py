"""The browser-facing endpoints: key, subscribe, unsubscribe, device list, service worker."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from krijt.webpush.models import PushSubscription
from krijt.webpush.tests.conftest import Browser
from krijt.webpush.vapid import keys
from tests.scenario import Scenario

pytestmark = [pytest.mark.django_db, pytest.mark.urls("krijt.webpush.tests.urls")]

ANDROID_FIREFOX = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
ENDPOINT = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn-abc"


def browser_subscription(endpoint: str = ENDPOINT) -> dict[str, Any]:
    browser = Browser.new()
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": browser.p256dh, "auth": browser.auth_b64}}


def post_json(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def test_the_public_key_is_the_servers(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/push/key"))
    assert response.status_code == 200
    assert response.json() == {"publicKey": keys().public_key}


def test_subscribing_stores_this_browser(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    client = login_as("student")
    data = browser_subscription()
    response = post_json(client, scenario.url("/push/subscribe"), data, HTTP_USER_AGENT=ANDROID_FIREFOX)
    assert response.status_code == 201, response.content
    row = PushSubscription.objects.get()
    assert response.json() == {"id": row.pk, "label": "Firefox on Android"}
    assert (row.user, row.endpoint, row.p256dh, row.auth) == (
        scenario.student,
        ENDPOINT,
        data["keys"]["p256dh"],
        data["keys"]["auth"],
    )
    assert row.user_agent == ANDROID_FIREFOX


def test_subscribing_again_updates_and_a_shared_browser_changes_hands(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    post_json(login_as("student"), scenario.url("/push/subscribe"), browser_subscription())
    post_json(login_as("student"), scenario.url("/push/subscribe"), browser_subscription())
    assert PushSubscription.objects.get().user == scenario.student
    response = post_json(login_as("teacher"), scenario.url("/push/subscribe"), browser_subscription())
    assert response.status_code == 201
    assert PushSubscription.objects.get().user == scenario.teacher


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGx9",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        "https://fcm.googleapis.com:443/fcm/send/x",
    ],
)
def test_the_browsers_push_services_are_accepted(
    scenario: Scenario, login_as: Callable[..., Client], endpoint: str
) -> None:
    response = post_json(login_as("student"), scenario.url("/push/subscribe"), browser_subscription(endpoint))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://updates.push.services.mozilla.com/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://localhost/x",
        "https://intranet/x",
        "https://db.internal/x",
        "javascript:alert(1)",
        "",
        # Found by an attacker: other spellings of loopback, any port, and names not of a push service.
        "https://127.1:8326/x",
        "https://0x7f.0.0.1/x",
        "https://2130706433/x",
        "https://localhost./x",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://fcm.googleapis.com./fcm/send/x",
        "https://user@fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com.attacker.example/x",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://push.apple.com.evil.example/x",
        "https://updates.push.services.mozilla.com:99999/x",
        "https://updates.push.services.mozilla.com/x y",
    ],
)
def test_only_public_https_push_services_are_accepted(
    scenario: Scenario, login_as: Callable[..., Client], endpoint: str
) -> None:
    response = post_json(login_as("student"), scenario.url("/push/subscribe"), browser_subscription(endpoint))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"endpoint": ["Not valid."]}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("p256dh", "abc"), ("auth", "not base64 !"), ("auth", "AAAA"), ("p256dh", ""),
     # 65 bytes in the right form (0x04, x, y), but not a point on P-256.
     ("p256dh", "BA" + "A" * 85)],
)
def test_unusable_keys_are_refused(
    scenario: Scenario, login_as: Callable[..., Client], field: str, value: str
) -> None:
    data = browser_subscription()
    data["keys"][field] = value
    response = post_json(login_as("student"), scenario.url("/push/subscribe"), data)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"endpoint": "x" * 5000})])
def test_a_bad_body_is_refused(scenario: Scenario, login_as: Callable[..., Client], body: str) -> None:
    response = login_as("student").post(scenario.url("/push/subscribe"), data=body, content_type="application/json")
    assert response.status_code in {400, 413}
    assert "error" in response.json()


def test_a_person_keeps_at_most_twenty_devices(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    client = login_as("student")
    for n in range(22):
        post_json(client, scenario.url("/push/subscribe"), browser_subscription(f"{ENDPOINT}{n}"))
    endpoints = set(PushSubscription.objects.filter(user=scenario.student).values_list("endpoint", flat=True))
    assert len(endpoints) == 20
    assert f"{ENDPOINT}21" in endpoints
    assert f"{ENDPOINT}0" not in endpoints


def test_signed_out_or_a_stranger_cannot_subscribe(
    scenario: Scenario, other_school: Scenario, client: Client, login_as: Callable[..., Client]
) -> None:
    response = post_json(client, scenario.url("/push/subscribe"), browser_subscription())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    response = post_json(login_as("student"), other_school.url("/push/subscribe"), browser_subscription())
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_csrf_token_is_required(scenario: Scenario) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(scenario.student, backend="krijt.accounts.backends.KrijtBackend")
    response = post_json(client, scenario.url("/push/subscribe"), browser_subscription())
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_get_is_not_allowed_on_writes(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    client = login_as("student")
    assert client.get(scenario.url("/push/subscribe")).status_code == 405
    assert client.get(scenario.url("/push/unsubscribe")).status_code == 405


def test_unsubscribing_removes_only_ones_own_browser(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    mine = Browser.new().subscribe(scenario.student, ENDPOINT + "mine")
    theirs = Browser.new().subscribe(scenario.teacher, ENDPOINT + "theirs")
    client = login_as("student")
    assert post_json(client, scenario.url("/push/unsubscribe"), {"endpoint": theirs.endpoint}).status_code == 200
    assert post_json(client, scenario.url("/push/unsubscribe"), {"endpoint": mine.endpoint}).status_code == 200
    assert list(PushSubscription.objects.all()) == [theirs]
    assert post_json(client, scenario.url("/push/unsubscribe"), {}).status_code == 400


def test_the_device_list_shows_ones_own_devices_in_fixed_queries(
    scenario: Scenario, login_as: Callable[..., Client], django_assert_num_queries: Any
) -> None:
    client = login_as("parent")
    for n in range(5):
        PushSubscription.objects.create(
            user=scenario.parent, endpoint=f"{ENDPOINT}{n}", p256dh="x", auth="y", label=f"Phone {n}"
        )
    Browser.new().subscribe(scenario.teacher, ENDPOINT + "teacher")
    client.get(scenario.url("/push/devices"))  # warm the school cache
    # devices (the session comes from the cache)
    with django_assert_num_queries(1):
        response = client.get(scenario.url("/push/devices"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Remove") == 5
    assert "Phone 4" in body
    assert 'hx-trigger="push-changed from:body"' in body


def test_removing_a_device(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    mine = PushSubscription.objects.create(user=scenario.student, endpoint=ENDPOINT, p256dh="x", auth="y")
    client = login_as("student")
    response = client.post(scenario.url(f"/push/devices/{mine.pk}/delete"), {"next": scenario.url("/")})
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/")
    assert not PushSubscription.objects.exists()


def test_removing_a_device_with_htmx_returns_the_list(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    mine = PushSubscription.objects.create(user=scenario.student, endpoint=ENDPOINT, p256dh="x", auth="y")
    response = login_as("student").post(scenario.url(f"/push/devices/{mine.pk}/delete"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="push-devices"' in response.content.decode()


def test_removing_someone_elses_device_is_not_found(
    scenario: Scenario, login_as: Callable[..., Client]
) -> None:
    theirs = PushSubscription.objects.create(user=scenario.teacher, endpoint=ENDPOINT, p256dh="x", auth="y")
    client = login_as("student")
    assert client.post(scenario.url(f"/push/devices/{theirs.pk}/delete")).status_code == 404
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()


def test_an_outside_next_is_ignored(scenario: Scenario, login_as: Callable[..., Client]) -> None:
    mine = PushSubscription.objects.create(user=scenario.student, endpoint=ENDPOINT, p256dh="x", auth="y")
    response = login_as("student").post(
        scenario.url(f"/push/devices/{mine.pk}/delete"), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_the_service_worker_controls_the_whole_site(client: Client, scenario: Scenario) -> None:
    response = client.get(scenario.url("/push/sw.js"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "showNotification" in body
    assert "notificationclick" in body
    assert "openWindow" in body


def test_the_control_asks_nothing_on_load() -> None:
    """The permission prompt comes from a click handler only: browsers and people punish prompts on load."""
    from pathlib import Path

    script = (Path(__file__).parents[1] / "static" / "webpush" / "push.js").read_text()
    before_click, _, _ = script.partition('addEventListener("click"')
    assert "requestPermission" not in before_click
    assert "requestPermission" in script
