"""The school's name, colour and logo: set by its administrators, checked for contrast, shown in the shell."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from krijt.schools import identity
from krijt.schools.models import School
from tests.scenario import Scenario, english_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (31, 95, 191)).save(buffer, "PNG")
    return buffer.getvalue()


def signed_in(user: Any) -> Client:
    client = english_client()
    client.force_login(user, backend="krijt.accounts.backends.KrijtBackend")
    return client


def save(client: Client, scenario: Scenario, **data: Any) -> Any:
    data.setdefault("name", scenario.school.name)
    data.setdefault("accent_color", "")
    return client.post(scenario.url("/manage/school/"), data)


def test_contrast_is_measured_as_wcag_does() -> None:
    assert round(identity.contrast("#000000", "#ffffff"), 1) == 21.0
    assert identity.is_readable("#1f5fbf")
    assert not identity.is_readable("#ffcc00")  # yellow on white cannot be read
    assert not identity.is_readable("1f5fbf")
    dark = identity.dark_variant("#1f5fbf")
    assert min(identity.contrast(dark, s) for s in identity.DARK_SURFACES) >= identity.MINIMUM


def test_an_administrator_sets_a_readable_colour_and_everyone_sees_it(scenario: Scenario) -> None:
    admin = signed_in(scenario.admin)
    refused = save(admin, scenario, accent_color="#ffcc00")
    assert refused.status_code == 400
    assert "too light to read" in refused.content.decode()
    assert School.objects.get(pk=scenario.school.pk).accent_color == ""
    assert save(admin, scenario, accent_color="#7A1F5C").status_code == 302
    page = signed_in(scenario.student).get(scenario.url("/")).content.decode()
    assert f'href="{scenario.url("/theme.css")}?c=7a1f5c"' in page
    css = english_client().get(scenario.url("/theme.css"), {"c": "7a1f5c"})
    assert css["Content-Type"].startswith("text/css")
    assert "--accent:#7a1f5c" in css.content.decode()
    assert "prefers-color-scheme: dark" in css.content.decode()


def test_a_logo_is_checked_shown_and_replaced(scenario: Scenario) -> None:
    admin = signed_in(scenario.admin)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    assert save(admin, scenario, logo=fake).status_code == 400
    real = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    assert save(admin, scenario, logo=real).status_code == 302
    school = School.objects.get(pk=scenario.school.pk)
    first = school.logo.name
    page = signed_in(scenario.parent).get(scenario.url("/")).content.decode()
    assert f'src="{scenario.url("/logo")}?v=' in page
    logo = signed_in(scenario.parent).get(scenario.url("/logo"))
    assert logo["Content-Type"] == "image/png"
    assert logo.content == png()
    save(admin, scenario, logo=SimpleUploadedFile("new.png", png(), content_type="image/png"))
    school.refresh_from_db()
    assert school.logo.name != first
    save(admin, scenario, remove_logo="on")
    school.refresh_from_db()
    assert not school.logo
    assert english_client().get(scenario.url("/logo")).status_code == 404


def test_only_administrators_change_the_identity(scenario: Scenario) -> None:
    for user in (scenario.staff, scenario.teacher):
        response = save(signed_in(user), scenario, name="Taken over", accent_color="#000000")
        assert response.status_code == 403
    assert School.objects.get(pk=scenario.school.pk).name != "Taken over"


def test_the_new_name_shows_at_once(scenario: Scenario) -> None:
    student = signed_in(scenario.student)
    assert scenario.school.name in student.get(scenario.url("/")).content.decode()
    save(signed_in(scenario.admin), scenario, name="Sint-Alfonscollege Brugge")
    assert "Sint-Alfonscollege Brugge" in student.get(scenario.url("/")).content.decode()


def test_a_notice_shows_on_every_page_of_the_school_until_its_end(scenario: Scenario, time_machine: Any) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo("Europe/Brussels")
    time_machine.move_to(dt.datetime(2026, 11, 24, 8, 0, tzinfo=brussels), tick=False)
    admin = signed_in(scenario.admin)
    too_long = admin.post(scenario.url("/manage/school/"), {
        "action": "notice", "notice": "Wifi down", "notice_until": "2026-12-24T12:00"})
    assert too_long.status_code == 400
    assert "at most two weeks" in too_long.content.decode()
    saved = admin.post(scenario.url("/manage/school/"), {
        "action": "notice", "notice": "The Wi-Fi is down: today's tests are on paper.",
        "notice_until": "2026-11-24T16:00"})
    assert saved.status_code == 302
    school = School.objects.get(pk=scenario.school.pk)
    assert school.notice_until == dt.datetime(2026, 11, 24, 16, 0, tzinfo=brussels)  # the school's wall clock
    for user, path in ((scenario.student, "/"), (scenario.parent, "/messages/"), (scenario.teacher, "/planner/")):
        page = signed_in(user).get(scenario.url(path), follow=True).content.decode()
        assert "today&#x27;s tests are on paper" in page, path
    time_machine.move_to(dt.datetime(2026, 11, 24, 16, 1, tzinfo=brussels), tick=False)
    assert "tests are on paper" not in signed_in(scenario.student).get(scenario.url("/")).content.decode()
    assert save(signed_in(scenario.teacher), scenario).status_code == 403
