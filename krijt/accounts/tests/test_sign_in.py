from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from krijt.accounts.models import DeviceSession as Session
from krijt.accounts.models import User
from krijt.core.worker import run_pending_tasks
from tests.scenario import TEST_PASSWORD, Scenario, english_client

pytestmark = pytest.mark.django_db


def sign_in(
    client: Client, scenario: Scenario, username: str, password: str, *, keep: bool = False, address: str = "10.0.0.1"
) -> Any:
    data = {"username": username, "password": password}
    if keep:
        data["keep_signed_in"] = "on"
    return client.post(scenario.url("/accounts/sign-in/"), data, REMOTE_ADDR=address)


def test_right_password_signs_in_and_reaches_home(client: Client, scenario: Scenario) -> None:
    response = sign_in(client, scenario, scenario.student.username.upper(), TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == scenario.url("/")
    assert client.get(scenario.url("/")).status_code == 200


def test_wrong_password_is_refused_with_a_message(client: Client, scenario: Scenario) -> None:
    response = sign_in(client, scenario, scenario.student.username, "wrong")
    assert response.status_code == 400
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client: Client, scenario: Scenario) -> None:
    response = sign_in(client, scenario, "nobody.here", "wrong")
    assert response.status_code == 400
    assert "not correct" in response.content.decode()


def test_account_limit_answers_429_with_retry_after_before_hashing(
    client: Client, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit, _window = settings.KRIJT_LOGIN_LIMITS["account"]
    for i in range(limit):
        # Many addresses: credential stuffing spread over a botnet still hits the account limit.
        assert sign_in(client, scenario, scenario.student.username, "wrong", address=f"10.1.0.{i}").status_code == 400

    hashed: list[int] = []
    from krijt.accounts import hashers

    original = hashers.KrijtArgon2Hasher.verify

    def counting_verify(self: Any, *args: Any) -> bool:
        hashed.append(1)
        return original(self, *args)

    monkeypatch.setattr(hashers.KrijtArgon2Hasher, "verify", counting_verify)
    response = sign_in(client, scenario, scenario.student.username, TEST_PASSWORD, address="10.2.0.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert hashed == []  # refused before any password hash


def test_address_and_account_limit(client: Client, scenario: Scenario) -> None:
    limit, _ = settings.KRIJT_LOGIN_LIMITS["address_account"]
    for _ in range(limit):
        sign_in(client, scenario, scenario.student.username, "wrong", address="10.9.9.9")
    assert sign_in(client, scenario, scenario.student.username, TEST_PASSWORD, address="10.9.9.9").status_code == 429
    # The same student from another address is still welcome.
    assert sign_in(client, scenario, scenario.student.username, TEST_PASSWORD, address="10.9.9.10").status_code == 302


def test_one_address_for_a_whole_school_is_never_locked_out(client: Client, scenario: Scenario) -> None:
    """500 students behind one school address: typos of a few do not block the others."""
    school_address = "192.0.2.10"
    typo_makers = scenario.students[:3]
    for student in typo_makers:
        for _ in range(settings.KRIJT_LOGIN_LIMITS["address_account"][0] + 2):
            sign_in(client, scenario, student.username, "typo", address=school_address)
    for student in scenario.students[3:]:
        fresh = Client()
        assert sign_in(fresh, scenario, student.username, TEST_PASSWORD, address=school_address).status_code == 302


def test_success_resets_the_address_account_counter(client: Client, scenario: Scenario) -> None:
    limit, _ = settings.KRIJT_LOGIN_LIMITS["address_account"]
    for _ in range(limit - 1):
        sign_in(client, scenario, scenario.student.username, "typo")
    assert sign_in(client, scenario, scenario.student.username, TEST_PASSWORD).status_code == 302
    client.post(scenario.url("/accounts/sign-out/"))
    for _ in range(limit - 1):
        sign_in(client, scenario, scenario.student.username, "typo")
    assert sign_in(client, scenario, scenario.student.username, TEST_PASSWORD).status_code == 302


def test_keep_signed_in_gives_a_long_lived_cookie(client: Client, scenario: Scenario) -> None:
    sign_in(client, scenario, scenario.student.username, TEST_PASSWORD, keep=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) >= 60 * 60 * 24 * 30


def test_without_keep_signed_in_the_cookie_ends_with_the_browser(client: Client, scenario: Scenario) -> None:
    sign_in(client, scenario, scenario.student.username, TEST_PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"]
    assert "krijt_until" in client.session


def test_short_session_ends_after_its_hours(client: Client, scenario: Scenario) -> None:
    import time_machine

    with time_machine.travel("2026-11-23 08:00 +0100", tick=False):
        sign_in(client, scenario, scenario.student.username, TEST_PASSWORD)
        assert client.get(scenario.url("/")).status_code == 200
    with time_machine.travel("2026-11-23 21:00 +0100", tick=False):
        response = client.get(scenario.url("/"))
        assert response.status_code == 302
        assert "/accounts/sign-in/" in response["Location"]


def test_returning_device_session_costs_no_password_hash(
    client: Client, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, scenario, scenario.student.username, TEST_PASSWORD, keep=True)
    from krijt.accounts import hashers

    def fail(*args: object) -> bool:
        raise AssertionError("a signed-in request must not hash a password")

    monkeypatch.setattr(hashers.KrijtArgon2Hasher, "verify", fail)
    monkeypatch.setattr(hashers.KrijtArgon2Hasher, "encode", fail)
    assert client.get(scenario.url("/")).status_code == 200


def test_sign_out(client: Client, scenario: Scenario) -> None:
    sign_in(client, scenario, scenario.student.username, TEST_PASSWORD)
    assert client.post(scenario.url("/accounts/sign-out/")).status_code == 302
    assert client.get(scenario.url("/")).status_code == 302


def test_sign_out_is_post_only(client: Client, scenario: Scenario) -> None:
    sign_in(client, scenario, scenario.student.username, TEST_PASSWORD)
    assert client.get(scenario.url("/accounts/sign-out/")).status_code == 405


def test_sign_out_everywhere_ends_other_devices(scenario: Scenario) -> None:
    phone, laptop = Client(), Client()
    sign_in(phone, scenario, scenario.teacher.username, TEST_PASSWORD, keep=True)
    sign_in(laptop, scenario, scenario.teacher.username, TEST_PASSWORD, keep=True)
    assert phone.get(scenario.url("/")).status_code == 200
    laptop.post(scenario.url("/accounts/sign-out-everywhere/"))
    assert phone.get(scenario.url("/")).status_code == 302
    assert laptop.get(scenario.url("/")).status_code == 302
    # Signing in again works, and the new session is valid.
    sign_in(phone, scenario, scenario.teacher.username, TEST_PASSWORD)
    assert phone.get(scenario.url("/")).status_code == 200


def test_losing_redis_signs_nobody_out(client: Client, scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in(client, scenario, scenario.student.username, TEST_PASSWORD, keep=True)
    assert Session.objects.count() == 1

    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    def down(*args: object, **kwargs: object) -> object:
        raise ConnectionError("redis is down")

    for name in ("get", "set", "delete", "get_many", "has_key", "add", "incr", "delete_many"):
        monkeypatch.setattr(RedisCache, name, down)
    with pytest.raises(ConnectionError):
        cache.get("anything")
    response = client.get(scenario.url("/"))
    assert response.status_code == 200
    assert "Stu1" in response.content.decode()


def test_password_reset_by_email(client: Client, scenario: Scenario) -> None:
    teacher = scenario.teacher
    response = client.post(scenario.url("/accounts/password-reset/"), {"email": teacher.email})
    assert response.status_code == 302
    assert mail.outbox == []  # the worker looks the address up and writes the e-mail
    run_pending_tasks()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert teacher.username in body
    link = next(line for line in body.splitlines() if "/password-reset/" in line).strip()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "a new Pa55phrase", "new_password2": "a new Pa55phrase"})
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("a new Pa55phrase")
    # The link works once.
    assert "no longer valid" in client.get("/" + path, follow=True).content.decode()


def test_password_reset_for_unknown_address_reveals_nothing(client: Client, scenario: Scenario) -> None:
    response = client.post(scenario.url("/accounts/password-reset/"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    run_pending_tasks()
    assert mail.outbox == []


def test_password_reset_is_rate_limited(client: Client, scenario: Scenario) -> None:
    for _ in range(5):
        client.post(scenario.url("/accounts/password-reset/"), {"email": "x@example.org"})
    response = client.post(scenario.url("/accounts/password-reset/"), {"email": "x@example.org"})
    assert response.status_code == 429
    assert response["Retry-After"]


def test_user_names_are_unique_case_insensitively(scenario: Scenario) -> None:
    from krijt.accounts.services import user_create
    from krijt.core.errors import Conflict

    with pytest.raises(Conflict):
        user_create(
            school=scenario.school,
            username=scenario.student.username.upper(),
            first_name="X",
            last_name="Y",
            role="student",
        )
    assert User.objects.filter(username=scenario.student.username).count() == 1


def test_password_reset_request_never_looks_the_address_up(client: Client, scenario: Scenario) -> None:
    """The same work, and so the same time, for a registered and an unknown address: the worker looks up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(scenario.url("/accounts/password-reset/"))  # the school is read (and cached) once
    shapes = []
    for address in (scenario.teacher.email, "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(scenario.url("/accounts/password-reset/"), {"email": address})
        assert response.status_code == 302
        assert not any("accounts_user" in q["sql"] for q in queries.captured_queries)
        shapes.append([q["sql"].split(" ", 1)[0] for q in queries.captured_queries])
    assert shapes[0] == shapes[1]


def test_password_reset_is_limited_per_recipient_from_any_address(client: Client, scenario: Scenario) -> None:
    limit, _window = settings.KRIJT_RESET_RECIPIENT_LIMIT
    for i in range(limit):
        response = client.post(scenario.url("/accounts/password-reset/"), {"email": scenario.teacher.email},
                               REMOTE_ADDR=f"10.9.0.{i}")
        assert response.status_code == 302
    response = client.post(scenario.url("/accounts/password-reset/"), {"email": scenario.teacher.email.upper()},
                           REMOTE_ADDR="10.9.1.1")
    assert response.status_code == 429
    run_pending_tasks()
    assert len(mail.outbox) == limit


def test_password_reset_mail_survives_a_mail_server_outage(
        client: Client, scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    import time_machine
    from django.core.mail.backends.locmem import EmailBackend

    from krijt.core import clock

    original = EmailBackend.send_messages

    def down(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    client.post(scenario.url("/accounts/password-reset/"), {"email": scenario.teacher.email})
    run_pending_tasks()
    assert mail.outbox == []
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    with time_machine.travel(clock.now() + dt.timedelta(minutes=6)):
        run_pending_tasks()
    assert len(mail.outbox) == 1


def test_strangers_guessing_cannot_lock_a_person_out_of_their_own_browser(scenario: Scenario) -> None:
    from krijt.accounts.services import DEVICE_COOKIE

    teacher = scenario.teacher
    teachers_laptop, pupil = english_client(), english_client()
    assert sign_in(teachers_laptop, scenario, teacher.username, TEST_PASSWORD).status_code == 302
    assert DEVICE_COOKIE in teachers_laptop.cookies
    teachers_laptop.post(scenario.url("/accounts/sign-out/"))

    limit, _window = settings.KRIJT_LOGIN_LIMITS["account"]
    for i in range(limit + 3):  # a pupil guesses from the school's computers before a test
        sign_in(pupil, scenario, teacher.username, f"guess{i}", address=f"10.2.0.{i}")
    # Unknown browsers meet the account-wide limit, even with the right password ...
    blocked = sign_in(english_client(), scenario, teacher.username, TEST_PASSWORD, address="10.3.0.1")
    assert blocked.status_code == 429
    assert "device where you signed in before" in blocked.content.decode()
    # ... but the teacher's own laptop signs in, from the same school network as the pupil.
    assert sign_in(teachers_laptop, scenario, teacher.username, TEST_PASSWORD, address="10.2.0.1").status_code == 302


def test_a_known_browser_is_limited_on_its_own(scenario: Scenario) -> None:
    teacher = scenario.teacher
    laptop = english_client()
    assert sign_in(laptop, scenario, teacher.username, TEST_PASSWORD).status_code == 302
    laptop.post(scenario.url("/accounts/sign-out/"))
    limit, _window = settings.KRIJT_LOGIN_LIMITS["address_account"]
    for i in range(limit):
        assert sign_in(laptop, scenario, teacher.username, "wrong", address=f"10.4.0.{i}").status_code == 400
    assert sign_in(laptop, scenario, teacher.username, TEST_PASSWORD, address="10.4.1.1").status_code == 429
    # Its failures did not count against the account: another browser is not limited by them.
    assert sign_in(english_client(), scenario, teacher.username, TEST_PASSWORD, address="10.5.0.1").status_code == 302


def test_a_forged_or_borrowed_device_cookie_is_not_trusted(scenario: Scenario) -> None:
    from krijt.accounts.services import DEVICE_COOKIE

    student_pc = english_client()
    assert sign_in(student_pc, scenario, scenario.student.username, TEST_PASSWORD).status_code == 302
    student_pc.post(scenario.url("/accounts/sign-out/"))
    limit, _window = settings.KRIJT_LOGIN_LIMITS["account"]
    # The student's own cookie knows the student's account, not the teacher's: guesses count account-wide.
    for i in range(limit):
        sign_in(student_pc, scenario, scenario.teacher.username, "guess", address=f"10.6.0.{i}")
    stranger = english_client()
    assert sign_in(stranger, scenario, scenario.teacher.username, TEST_PASSWORD, address="10.6.1.1").status_code == 429
    forged = english_client()
    forged.cookies[DEVICE_COOKIE] = "eyJkIjoiYSIsImEiOltdfQ:forged:signature"
    assert sign_in(forged, scenario, scenario.teacher.username, TEST_PASSWORD, address="10.6.1.2").status_code == 429


def test_the_reset_link_points_to_the_platform_address_whatever_host_the_request_named(
        client: Client, scenario: Scenario) -> None:
    client.post(scenario.url("/accounts/password-reset/"), {"email": scenario.teacher.email},
                HTTP_HOST="evil.example")
    run_pending_tasks()
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if "/password-reset/" in line).strip()
    assert link.startswith(f"{settings.KRIJT_SITE_URL}/s/alpha/accounts/password-reset/")
    assert "evil.example" not in message.body
