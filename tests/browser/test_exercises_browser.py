"""Exercises in the browser. A pupil on a phone does an exercise of drag items (words in gaps, lines to order,
pairs to match) to mastery with the keyboard alone (each drag item has its keyboard way), and the sitting reaches
Krijt once; the teacher sees the mastery on the dashboard on a tablet. A pupil who loses the connection
practises on: the finished sitting waits on the device and is sent when Krijt answers again. The device scores
every case of the shared table as the server does. axe on every page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from krijt.core.roles import Role
from krijt.exercises import services
from krijt.exercises.models import Attempt, Progress
from tests.browser.conftest import _watched_page
from tests.browser.helpers import assert_accessible, page_width, sign_in
from tests.scenario import Scenario, build_school

pytestmark = pytest.mark.django_db(transaction=True)

TZ = ZoneInfo("Europe/Brussels")
TEACHER = frozenset({Role.TEACHER.value})
CASES = Path(__file__).resolve().parent.parent.parent / "krijt" / "exercises" / "tests" / "scoring_cases.json"


def assigned(s: Scenario, sources: list[tuple[str, str, str]], rule: tuple[int, int]) -> Any:
    made = services.exercise_create(school=s.school, actor=s.teacher, roles=TEACHER, data=services.ExerciseIn(
        subject="Wiskunde", skill="Tables", title="Tables of 3", rule_m=rule[0], rule_n=rule[1]))
    for kind, prompt, source in sources:
        services.item_add(school=s.school, actor=s.teacher, roles=TEACHER, exercise=made,
                          data=services.ItemIn(kind=kind, prompt=prompt, source=source, hints=["Count by three."]))
    return services.assignment_create(school=s.school, actor=s.teacher, roles=TEACHER,
                                      data=services.AssignIn(course_id=s.courses[0].pk, exercise_id=made.pk))


def press_down(page: Any, times: int) -> None:
    for _ in range(times):
        page.keyboard.press("ArrowDown")


def answer_by_keyboard(page: Any, form: Any, key: dict[str, Any]) -> None:
    """Answers one item correctly with the keyboard only: Tab-reachable controls, arrows, Enter and Space."""
    kind, body = key["kind"], key["body"]
    if kind == "gapmatch":
        for gap, word in enumerate(body["answers"]):
            form.locator(f"select[name=g{gap}]").focus()
            press_down(page, body["words"].index(word) + 1)
    elif kind == "match":
        for left in range(len(body["pairs"])):
            select = form.locator(f"select[name=m{left}]")
            values = select.evaluate("s => Array.from(s.options).map(o => o.value)")
            select.focus()
            press_down(page, values.index(str(left)))
    elif kind == "order":
        for position in range(len(body["lines"])):
            for _ in range(len(body["lines"])):
                order = form.locator("[data-order] > li").evaluate_all("items => items.map(i => i.dataset.index)")
                at = order.index(str(position))
                if at == position:
                    break
                form.locator(f"[data-order] > li[data-index='{position}'] [data-move=up]").focus()
                page.keyboard.press("Enter")
    elif kind == "numeric":
        form.locator("input[name=r]").focus()
        page.keyboard.type(body["value"].replace(".", ","))
    elif kind == "single":
        form.locator(f"input[name=r][value='{body['correct']}']").focus()
        page.keyboard.press("Space")
    else:  # pragma: no cover - the tests use the kinds above
        raise AssertionError(kind)


def practise_to_the_end(page: Any) -> int:
    keys = json.loads(page.locator("#ex-keys").text_content())
    answered = 0
    while not page.get_by_role("heading", name="You are done for today!").is_visible():
        form = page.locator("form[data-item]:visible")
        form.wait_for()
        index = int(form.get_attribute("data-item"))
        answer_by_keyboard(page, form, keys[index])
        form.get_by_role("button", name="Check").focus()
        page.keyboard.press("Enter")
        form.get_by_text("Correct!").wait_for()
        if answered == 0:
            assert page_width(page) <= page.viewport_size["width"]
            assert_accessible(page)
        page.keyboard.press("Enter")  # "Next" has the focus
        answered += 1
        assert answered < 10
    return answered


def test_a_pupil_practises_drag_items_to_mastery_by_keyboard(page: Any, browser: Any, live_server: Any) -> None:
    base = live_server.url
    s = build_school("alpha")
    pupil = s.students_by_class[s.classes[0].pk][0]
    with time_machine.travel(dt.datetime(2026, 10, 6, 13, 50, tzinfo=TZ), tick=True) as traveller:
        a = assigned(s, [("gapmatch", "Fill in.", "3 × [2] = [6].\n+ 5, 9"),
                         ("order", "Smallest first.", "3\n6\n9\n12"),
                         ("match", "Match.", "3 × 1 = 3\n3 × 2 = 6\n3 × 3 = 9\n= 7")], rule=(3, 3))
        sign_in(page, base, pupil.username, language="en")
        page.goto(f"{base}/s/alpha/exercises/")
        assert_accessible(page)
        link = page.get_by_role("link", name="Tables of 3")
        link.focus()
        page.keyboard.press("Enter")
        page.get_by_text("Goal: 3 correct of your last 3 answers.").wait_for()
        assert practise_to_the_end(page) == 3
        page.get_by_text("Your practice is saved.").wait_for()
        assert_accessible(page)
        attempt = Attempt.objects.get()
        assert (attempt.student_id, attempt.assignment_id, attempt.mastered, len(attempt.answers)) == (
            pupil.pk, a.pk, True, 3)
        page.reload()  # nothing is sent twice, and a new sitting starts
        page.get_by_text("Goal: 3 correct of your last 3 answers.").wait_for()
        assert Attempt.objects.count() == 1

        traveller.shift(services.SETTLE + dt.timedelta(seconds=5))
        services.summarize()
        assert Progress.objects.get(student=pupil).mastered_at is not None
        for tablet in _watched_page(browser, {"width": 768, "height": 1024}):
            sign_in(tablet, base, s.teacher.username, language="en")
            tablet.goto(f"{base}/s/alpha/exercises/courses/{s.courses[0].pk}/")
            row = tablet.get_by_role("row", name=pupil.full_name)
            row.get_by_text("mastered").wait_for()
            assert page_width(tablet) <= 768
            assert_accessible(tablet)


def test_an_offline_sitting_is_kept_and_sent_when_krijt_answers(page: Any, live_server: Any) -> None:
    base = live_server.url
    s = build_school("alpha")
    pupil = s.students_by_class[s.classes[0].pk][0]
    with time_machine.travel(dt.datetime(2026, 10, 6, 16, 45, tzinfo=TZ), tick=True):
        assigned(s, [("numeric", "Half of 7?", "3,5"), ("single", "3 × 4?", "10\n*12")], rule=(2, 2))
        sign_in(page, base, pupil.username, language="en")
        page.goto(f"{base}/s/alpha/exercises/")
        page.get_by_role("link", name="Tables of 3").click()
        page.get_by_text("Goal: 2 correct of your last 2 answers.").wait_for()
        page.context.set_offline(True)
        practise_to_the_end(page)
        page.get_by_text("Your practice is kept on this device").first.wait_for()
        assert Attempt.objects.count() == 0
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.get_by_text("Your practice is saved.").first.wait_for(timeout=20_000)
        assert Attempt.objects.filter(student=pupil, mastered=True).count() == 1
        assert page.evaluate("window.KrijtPractice.outbox().length") == 0


def test_the_device_scores_as_the_server_does(page: Any, live_server: Any) -> None:
    base = live_server.url
    s = build_school("alpha")
    pupil = s.students_by_class[s.classes[0].pk][0]
    with time_machine.travel(dt.datetime(2026, 10, 6, 13, 50, tzinfo=TZ), tick=True):
        a = assigned(s, [("numeric", "Half of 7?", "3,5")], rule=(1, 1))
        sign_in(page, base, pupil.username, language="en")
        page.goto(f"{base}/s/alpha/exercises/practise/{a.pk}/")
        page.get_by_text("Goal:").wait_for()
        cases = json.loads(CASES.read_text())
        verdicts = page.evaluate("cases => cases.map(c => KrijtScoring.score(c.kind, c.body, c.response))", cases)
        wrong = [(c, v) for c, v in zip(cases, verdicts, strict=True) if v is not c["correct"]]
        assert not wrong, wrong


def test_a_sitting_shed_by_a_busy_krijt_is_sent_again(page: Any, live_server: Any) -> None:
    base = live_server.url
    s = build_school("alpha")
    pupil = s.students_by_class[s.classes[0].pk][0]
    with time_machine.travel(dt.datetime(2026, 10, 6, 16, 45, tzinfo=TZ), tick=True):
        assigned(s, [("numeric", "Half of 7?", "3,5")], rule=(1, 1))
        sign_in(page, base, pupil.username, language="en")
        page.goto(f"{base}/s/alpha/exercises/")
        page.get_by_role("link", name="Tables of 3").click()
        page.get_by_text("Goal: 1 correct of your last 1 answers.").wait_for()
        shed: list[str] = []

        def busy(route: Any) -> None:
            shed.append(route.request.method)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="{}", content_type="application/json")

        page.route("**/exercises/attempts/", busy)
        practise_to_the_end(page)
        page.get_by_text("Your practice is kept on this device").first.wait_for()
        assert shed == ["POST"]
        assert Attempt.objects.count() == 0
        page.unroute("**/exercises/attempts/")
        page.get_by_text("Your practice is saved.").first.wait_for(timeout=20_000)  # the next try, by itself
        assert Attempt.objects.filter(student=pupil).count() == 1
