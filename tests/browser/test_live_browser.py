"""A live lesson on a phone, by keyboard: on Monday at 08:18 a student follows Today's link to the first lesson's
live lesson and presses Join; the teacher is not there yet, so the page says so and waits; when the teacher
joins, the page takes the student into the (stand-in) BigBlueButton meeting as a viewer by itself. axe on each
page of Krijt."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from krijt.core.roles import Role
from krijt.live import services
from krijt.live.models import Provider, VideoServer
from krijt.live.tests.fake_bbb import FakeBBB
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import build_school

pytestmark = pytest.mark.django_db(transaction=True)

TZ = ZoneInfo("Europe/Brussels")


@pytest.fixture
def fake_bbb() -> Any:
    server = FakeBBB().start()
    yield server
    server.stop()


def test_a_student_joins_a_live_lesson_and_waits_for_the_teacher(page: Any, live_server: Any, fake_bbb: FakeBBB
                                                                  ) -> None:
    base = live_server.url
    school = build_school("alpha")
    VideoServer.objects.create(school=school.school, kind=Provider.BBB, name="BBB", url=fake_bbb.base,
                               secret=fake_bbb.secret)
    with time_machine.travel(dt.datetime(2026, 10, 2, 15, 0, tzinfo=TZ), tick=False):
        lesson = services.lesson_attach(school=school.school, actor=school.teacher, roles=frozenset({Role.TEACHER}),
                                        course_id=school.courses[0].pk,
                                        data=services.LessonIn(provider=Provider.BBB, when="slot:1-1"))
    with time_machine.travel("2026-10-05 08:18 +0200", tick=True):
        sign_in(page, base, school.student.username, language="en")
        page.goto(f"{base}/s/alpha/")
        link = page.get_by_role("link", name="live lesson", exact=True)
        link.wait_for()
        link.focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Wiskunde · 1A").wait_for()
        assert page_width(page) <= 360
        assert_accessible(page)
        page.get_by_role("button", name="Join the live lesson").focus()
        page.keyboard.press("Enter")
        page.get_by_text("Waiting for your teacher to join.").wait_for()
        assert fake_bbb.calls == []
        assert page_width(page) <= 360
        assert_accessible(page)

        services.join(school=school.school, actor=school.teacher, roles=frozenset({Role.TEACHER}),
                      lesson_id=lesson.pk, day=dt.date(2026, 10, 5))
        page.get_by_role("heading", name="In the meeting").wait_for(timeout=30_000)  # the page asked and went in
        page.get_by_text(f"{school.student.full_name} joined as viewer.").wait_for()
        assert [a["role"] for a in fake_bbb.meetings[next(iter(fake_bbb.meetings))].attendees] == ["VIEWER"]
