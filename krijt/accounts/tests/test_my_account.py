"""My account: one's own password, e-mail address and language, and where one is signed in."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from krijt.accounts.devices import device_label, device_name
from krijt.accounts.models import DeviceSession, User
from krijt.core.worker import run_pending_tasks
from tests.scenario import TEST_PASSWORD, Scenario

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Mobile Safari/537.36")


def sign_in(scenario: Scenario, user: User, agent: str = FIREFOX_WINDOWS, language: str = "en") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(scenario.url("/accounts/sign-in/"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def page(client: Client, scenario: Scenario) -> str:
    response = client.get(scenario.url("/accounts/me/"))
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, scenario: Scenario, **data: Any) -> Any:
    return client.post(scenario.url("/accounts/me/"), data)


def signed_in(client: Client, scenario: Scenario) -> bool:
    return client.get(scenario.url("/")).status_code == 200


def test_the_account_menu_leads_to_my_account_and_help(scenario: Scenario) -> None:
    home = sign_in(scenario, scenario.student).get(scenario.url("/")).content.decode()
    assert f'href="{scenario.url("/accounts/me/")}"' in home
    assert f'href="{scenario.url("/help/")}"' in home


def test_devices_are_listed_by_browser_and_one_can_be_signed_out(scenario: Scenario) -> None:
    laptop = sign_in(scenario, scenario.teacher, FIREFOX_WINDOWS)
    phone = sign_in(scenario, scenario.teacher, CHROME_ANDROID)
    html = page(laptop, scenario)
    assert "Firefox on Windows" in html
    assert "Chrome on Android" in html
    assert html.count(">this device<") == 1
    phone_row = DeviceSession.objects.get(session_key=phone.cookies[settings.SESSION_COOKIE_NAME].value)
    assert phone_row.user_id == scenario.teacher.pk
    assert phone_row.signed_in_at is not None
    response = post(laptop, scenario, action="device", device=phone_row.public_id)
    assert response.status_code == 302
    assert not signed_in(phone, scenario)
    assert signed_in(laptop, scenario)
    assert "Chrome on Android" not in page(laptop, scenario)


def test_one_cannot_sign_out_someone_elses_device(scenario: Scenario) -> None:
    student = sign_in(scenario, scenario.student)
    teacher = sign_in(scenario, scenario.teacher)
    theirs = DeviceSession.objects.get(session_key=teacher.cookies[settings.SESSION_COOKIE_NAME].value)
    assert post(student, scenario, action="device", device=theirs.public_id).status_code == 404
    assert signed_in(teacher, scenario)


def test_a_new_password_needs_the_current_one_and_signs_out_the_other_devices(scenario: Scenario) -> None:
    laptop = sign_in(scenario, scenario.parent, FIREFOX_WINDOWS)
    phone = sign_in(scenario, scenario.parent, CHROME_ANDROID)
    wrong = post(laptop, scenario, action="password", **{
        "pw-current_password": "not it", "pw-new_password1": "a new long phrase",
        "pw-new_password2": "a new long phrase"})
    assert wrong.status_code == 400
    assert "This is not your current password." in wrong.content.decode()
    different = post(laptop, scenario, action="password", **{
        "pw-current_password": TEST_PASSWORD, "pw-new_password1": "a new long phrase", "pw-new_password2": "other"})
    assert "The two new passwords are not the same." in different.content.decode()
    assert signed_in(phone, scenario)
    done = post(laptop, scenario, action="password", **{
        "pw-current_password": TEST_PASSWORD, "pw-new_password1": "a new long phrase",
        "pw-new_password2": "a new long phrase"})
    assert done.status_code == 302
    assert signed_in(laptop, scenario)
    assert not signed_in(phone, scenario)
    scenario.parent.refresh_from_db()
    assert scenario.parent.check_password("a new long phrase")


def test_a_new_email_address_needs_the_password_and_the_old_address_hears_of_it(scenario: Scenario) -> None:
    user = scenario.teacher
    User.objects.filter(pk=user.pk).update(email="old@example.org")
    client = sign_in(scenario, user)
    refused = post(client, scenario, action="email", **{"em-email": "new@example.org", "em-email_password": "no"})
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.email == "old@example.org"
    mail.outbox.clear()
    saved = post(client, scenario, action="email", **{"em-email": "new@example.org",
                                                      "em-email_password": TEST_PASSWORD})
    assert saved.status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.org"
    run_pending_tasks()
    assert [m.to for m in mail.outbox] == [["old@example.org"]]
    assert "new@example.org" in mail.outbox[0].body
    assert "Mijn account" in mail.outbox[0].body


def test_the_language_follows_the_person_to_another_device(scenario: Scenario) -> None:
    first = sign_in(scenario, scenario.student, language="en")
    assert post(first, scenario, action="language", **{"lang-language": "fr"}).status_code == 302
    scenario.student.refresh_from_db()
    assert scenario.student.language == "fr"
    other = sign_in(scenario, scenario.student, CHROME_ANDROID, language="nl")  # a device set to Dutch
    response = other.get(scenario.url("/"))
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_the_footer_language_switch_keeps_the_choice_on_the_account(scenario: Scenario) -> None:
    client = sign_in(scenario, scenario.teacher)
    client.post(scenario.url("/i18n/setlang/"), {"language": "nl", "next": scenario.url("/")})
    scenario.teacher.refresh_from_db()
    assert scenario.teacher.language == "nl"
    assert client.get(scenario.url("/"))["Content-Language"] == "nl"
    anonymous = Client()  # without an account the choice is the browser's cookie alone
    assert anonymous.post(scenario.url("/i18n/setlang/"), {"language": "fr"}).cookies[
        settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_sign_out_everywhere_empties_the_list_of_devices(scenario: Scenario) -> None:
    laptop = sign_in(scenario, scenario.teacher)
    sign_in(scenario, scenario.teacher, CHROME_ANDROID)
    assert DeviceSession.objects.filter(user_id=scenario.teacher.pk).count() == 2
    laptop.post(scenario.url("/accounts/sign-out-everywhere/"))
    assert not DeviceSession.objects.filter(user_id=scenario.teacher.pk).exists()


@pytest.mark.parametrize(("agent", "label"), [
    (FIREFOX_WINDOWS, "Firefox on Windows"),
    (CHROME_ANDROID, "Chrome on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("curl/8.5.0", "Unknown device"),
])
def test_device_names(agent: str, label: str) -> None:
    assert device_label(device_name(agent)) == label


def test_the_next_person_on_a_shared_computer_never_sees_the_last_ones_confirmation(scenario: Scenario) -> None:
    browser = sign_in(scenario, scenario.teacher)
    response = post(browser, scenario, action="email", **{"em-email": "new@example.org",
                                                          "em-email_password": TEST_PASSWORD})
    assert response.status_code == 302  # the confirmation waits for the next page, which never comes
    browser.post(scenario.url("/accounts/sign-out/"))
    browser.post(scenario.url("/accounts/sign-in/"), {"username": scenario.student.username,
                                                      "password": TEST_PASSWORD})
    home = browser.get(scenario.url("/")).content.decode()
    assert "e-mail address is saved" not in home
    assert "e-mailadres is bewaard" not in home
