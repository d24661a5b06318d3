"""The bounded password-check pool and the sign-in waiting room."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from krijt.accounts import hashing_pool
from krijt.accounts.hashing_pool import HashingBusy, HashingPool
from krijt.ops import admission, metrics
from krijt.ops.admission import READ
from tests.scenario import TEST_PASSWORD, Scenario


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    hashing_pool.reset_pool()
    yield
    hashing_pool.reset_pool()


def test_at_most_n_checks_run_at_once_and_the_rest_wait_then_go() -> None:
    pool = HashingPool(size=2, wait=5)
    running = 0
    peak = 0
    lock = threading.Lock()

    def check() -> None:
        nonlocal running, peak
        with pool.slot():
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.05)
            with lock:
                running -= 1

    threads = [threading.Thread(target=check) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert peak == 2
    assert pool.refused == 0
    assert pool.in_use == 0


def test_a_check_that_cannot_start_in_time_is_refused_quickly() -> None:
    pool = HashingPool(size=1, wait=0.2)
    inside = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with pool.slot():
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    started = time.monotonic()
    with pytest.raises(HashingBusy) as refused, pool.slot():
        pass
    assert time.monotonic() - started < 1.0
    assert refused.value.retry_after >= 1
    release.set()
    holder.join(5)
    with pool.slot():  # free again
        assert pool.in_use == 1


def test_size_defaults_to_the_cpu_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRIJT_HASH_CONCURRENCY", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert hashing_pool.configured_size() == 6
    with override_settings(KRIJT_HASH_CONCURRENCY=3):
        assert hashing_pool.pool().size == 3


def _post_sign_in(client: Client, scenario: Scenario, username: str, password: str) -> Any:
    client.get(scenario.url("/accounts/sign-in/"))
    token = client.cookies["csrftoken"].value
    return client.post(
        scenario.url("/accounts/sign-in/"),
        {"username": username, "password": password, "keep_signed_in": "on", "csrfmiddlewaretoken": token},
    )


@pytest.mark.django_db
def test_full_pool_answers_the_waiting_room_with_503_and_retry_after(scenario: Scenario) -> None:
    client = Client(enforce_csrf_checks=True)
    with override_settings(KRIJT_HASH_CONCURRENCY=1, KRIJT_HASH_WAIT=0.1):
        pool = hashing_pool.pool()
        with pool.slot():  # another sign-in is hashing
            response = _post_sign_in(client, scenario, scenario.student.username, TEST_PASSWORD)
        assert response.status_code == 503
        assert 3 <= int(response["Retry-After"]) <= 10
        html = response.content.decode()
        assert 'id="waiting-form"' in html
        assert f'value="{scenario.student.username}"' in html
        assert TEST_PASSWORD not in html  # the password is never written back
        assert 'autocomplete="current-password"' in html
        assert "krijt_session" not in response.cookies
        assert pool.refused == 1
        assert 'krijt_http_requests_shed_total{priority="login",reason="hashing"} 1' in metrics.REGISTRY.render()
        # The waiting room's own form, sent again when room is back, signs in.
        again = client.post(
            scenario.url("/accounts/sign-in/"),
            {
                "username": scenario.student.username,
                "password": TEST_PASSWORD,
                "keep_signed_in": "on",
                "csrfmiddlewaretoken": _hidden_token(html),
            },
        )
    assert again.status_code == 302
    assert "krijt_session" in again.cookies


def _hidden_token(html: str) -> str:
    start = html.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
    return html[start : html.index('"', start)]


@pytest.mark.django_db
def test_rate_limits_are_checked_before_the_pool(scenario: Scenario, settings: Any) -> None:
    limit, _window = settings.KRIJT_LOGIN_LIMITS["address_account"]
    client = Client()
    for _ in range(limit):
        assert _post_sign_in(client, scenario, scenario.teacher.username, "wrong").status_code == 400
    with override_settings(KRIJT_HASH_CONCURRENCY=1, KRIJT_HASH_WAIT=0.1):
        pool = hashing_pool.pool()
        with pool.slot():
            response = _post_sign_in(client, scenario, scenario.teacher.username, TEST_PASSWORD)
        assert response.status_code == 429  # limited without asking for a hashing slot
        assert pool.refused == 0


@pytest.mark.django_db
def test_admission_shedding_a_sign_in_shows_the_waiting_room(scenario: Scenario) -> None:
    client = Client()
    client.get(scenario.url("/accounts/sign-in/"))
    with override_settings(KRIJT_ADMISSION_LIMIT=1):
        admission.reset_gate()
        assert admission.gate().try_enter(READ, "other") is None  # a page view holds the only slot
        response = client.post(
            scenario.url("/accounts/sign-in/?next=/s/alpha/"),
            {"username": "someone", "password": "secret-pass", "csrfmiddlewaretoken": "x"},
        )
        admission.gate().leave(READ, "other")
    assert response.status_code == 503
    assert 5 <= int(response["Retry-After"]) <= 15
    html = response.content.decode()
    assert 'id="waiting-form"' in html
    assert 'value="someone"' in html
    assert "secret-pass" not in html
    assert 'action="/s/alpha/accounts/sign-in/?next=/s/alpha/"' in html
