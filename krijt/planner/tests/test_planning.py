"""Planning through the pages: the load preview, warnings, blocks, overrides, changes and cancelling."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.apps import apps

from krijt.planner.models import Override, PlannerItem, WorkloadPolicy
from krijt.planner.tests.conftest import TZ, WEEK
from krijt.planner.tests.factories import make_item
from tests.scenario import Scenario

pytestmark = pytest.mark.usefixtures("school_hours")


def form(scenario: Scenario, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "course": scenario.courses[0].pk,
        "kind": "test",
        "title": "Breuken",
        "description": "Hoofdstuk 3",
        "due_date": WEEK.isoformat(),
        "lesson_period": scenario.lesson_periods[0].pk,
        "minutes": 60,
    }
    data.update(over)
    return data


def two_tests(scenario: Scenario) -> list[PlannerItem]:
    # The second teacher's course of the same class, and one more.
    dutch = scenario.courses[1]
    return [
        make_item(dutch, day=WEEK, title="Spelling"),
        make_item(dutch, day=WEEK, title="Leesbegrip"),
    ]


def test_a_teacher_plans_a_test_and_the_class_sees_it(scenario: Scenario, login_as) -> None:
    client = login_as("teacher")
    response = client.post(scenario.url("/planner/new/"), form(scenario))
    assert response.status_code == 302
    item = PlannerItem.objects.get(school=scenario.school)
    assert (item.kind, item.title, item.due_date, item.minutes) == ("test", "Breuken", WEEK, 60)
    assert item.class_group_id == scenario.classes[0].pk
    assert item.teacher_id == scenario.teacher.pk
    assert item.visible_from <= dt.datetime.now(tz=TZ)
    page = client.get(scenario.url(f"/planner/class/{scenario.classes[0].pk}/?week={WEEK}"))
    assert "Breuken" in page.content.decode()
    student = login_as("student")
    assert "Breuken" in student.get(scenario.url(f"/planner/me/?week={WEEK}")).content.decode()


def test_the_check_fragment_names_the_other_tests(scenario: Scenario, login_as) -> None:
    two_tests(scenario)
    client = login_as("teacher")
    data = {"course": scenario.courses[0].pk, "kind": "test", "due_date": WEEK.isoformat()}
    response = client.post(scenario.url("/planner/check/"), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Spelling" in body
    assert "Leesbegrip" in body
    assert "Plan anyway" in body
    calm = client.post(scenario.url("/planner/check/"), {**data, "due_date": (WEEK + dt.timedelta(days=1)).isoformat()})
    assert "No conflicts" in calm.content.decode()
    as_task = client.post(scenario.url("/planner/check/"), {**data, "kind": "task"})
    assert "No conflicts" in as_task.content.decode()


def test_a_warning_needs_plan_anyway_with_a_reason_and_is_logged(scenario: Scenario, login_as) -> None:
    two_tests(scenario)
    client = login_as("teacher")
    refused = client.post(scenario.url("/planner/new/"), form(scenario))
    assert refused.status_code == 200
    assert "Spelling" in refused.content.decode()
    assert PlannerItem.objects.filter(title="Breuken").count() == 0
    no_reason = client.post(scenario.url("/planner/new/"), {**form(scenario), "override": "1"})
    assert "Give a reason" in no_reason.content.decode()
    assert PlannerItem.objects.filter(title="Breuken").count() == 0
    saved = client.post(
        scenario.url("/planner/new/"), {**form(scenario), "override": "1", "override_reason": "Agreed with the class"}
    )
    assert saved.status_code == 302
    item = PlannerItem.objects.get(title="Breuken")
    override = Override.objects.get(item=item)
    assert override.reason == "Agreed with the class"
    assert override.actor == scenario.teacher
    assert not override.blocked
    assert [f["rule"] for f in override.findings] == ["tests_per_day"]
    assert len(override.findings[0]["others"]) == 2
    workload = login_as("admin").get(scenario.url("/planner/workload/"))
    assert "Agreed with the class" in workload.content.decode()


def test_a_block_is_refused_and_only_an_administrator_may_override_when_allowed(scenario: Scenario, login_as) -> None:
    WorkloadPolicy.objects.create(school=scenario.school, tests_per_day_level="block", admins_override_block=True)
    two_tests(scenario)
    data = {**form(scenario), "override": "1", "override_reason": "Please"}
    teacher = login_as("teacher")
    refused = teacher.post(scenario.url("/planner/new/"), data)
    assert refused.status_code == 200
    assert "Plan anyway" not in refused.content.decode()
    assert not PlannerItem.objects.filter(title="Breuken").exists()
    admin = login_as("admin")
    assert admin.post(scenario.url("/planner/new/"), data).status_code == 302
    assert Override.objects.get().blocked
    WorkloadPolicy.objects.filter(school=scenario.school).update(admins_override_block=False)
    again = admin.post(scenario.url("/planner/new/"), {**data, "title": "Nog een"})
    assert again.status_code == 200
    assert not PlannerItem.objects.filter(title="Nog een").exists()


def test_after_hours_an_item_waits_for_the_school_morning(scenario: Scenario, login_as) -> None:
    evening = dt.datetime(2026, 9, 21, 21, 0, tzinfo=TZ)
    with time_machine.travel(evening, tick=False):
        client = login_as("teacher")
        response = client.post(scenario.url("/planner/new/"), form(scenario, kind="task"))
        assert response.status_code == 302
        item = PlannerItem.objects.get()
        assert item.visible_from == dt.datetime(2026, 9, 22, 7, 0, tzinfo=TZ)
        student = login_as("student")
        assert "Breuken" not in student.get(scenario.url(f"/planner/me/?week={WEEK}")).content.decode()
        assert student.get(scenario.url(f"/planner/item/{item.pk}/")).status_code == 404
    with time_machine.travel(dt.datetime(2026, 9, 22, 7, 1, tzinfo=TZ), tick=False):
        assert "Breuken" in student.get(scenario.url(f"/planner/me/?week={WEEK}")).content.decode()


def test_a_task_after_hours_for_tomorrow_warns(scenario: Scenario, login_as) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 5, 20, 0, tzinfo=TZ), tick=False):
        client = login_as("teacher")
        response = client.post(scenario.url("/planner/new/"), form(scenario, kind="task", due_date="2026-10-06"))
        assert response.status_code == 200
        assert "after hours" in response.content.decode()
        assert not PlannerItem.objects.exists()


def test_planning_saving_and_cancelling_each_say_what_happened(scenario: Scenario, login_as) -> None:
    client = login_as("teacher")
    planned = client.post(scenario.url("/planner/new/"), form(scenario), follow=True).content.decode()
    item = PlannerItem.objects.get()
    assert f"{item.title} is planned for " in planned
    saved = client.post(scenario.url(f"/planner/item/{item.pk}/edit/"), form(scenario, title="Breuken 2"),
                        follow=True).content.decode()
    assert "Breuken 2 is saved (" in saved
    cancelled = client.post(scenario.url(f"/planner/item/{item.pk}/cancel/"), follow=True).content.decode()
    assert "Breuken 2 is cancelled" in cancelled


def test_edit_move_and_cancel_bump_the_version_and_tell_the_students(scenario: Scenario, login_as) -> None:
    client = login_as("teacher")
    client.post(scenario.url("/planner/new/"), form(scenario))
    item = PlannerItem.objects.get()
    assert item.version == 1
    moved = client.post(
        scenario.url(f"/planner/item/{item.pk}/edit/"), form(scenario, due_date="2026-10-07", title="Breuken 2")
    )
    assert moved.status_code == 302
    item.refresh_from_db()
    assert (item.due_date, item.title, item.version) == (dt.date(2026, 10, 7), "Breuken 2", 2)
    assert client.get(scenario.url(f"/planner/item/{item.pk}/cancel/")).status_code == 200
    assert client.post(scenario.url(f"/planner/item/{item.pk}/cancel/")).status_code == 302
    item.refresh_from_db()
    assert item.state == "cancelled"
    assert item.version == 3
    student = login_as("student")
    assert "Breuken" not in student.get(scenario.url("/planner/me/?week=2026-10-05")).content.decode()
    if apps.is_installed("krijt.notifications"):
        from krijt.notifications.models import Notification

        keys = set(Notification.objects.filter(school=scenario.school).values_list("key", flat=True))
        assert keys == {f"planner:{item.pk}:1", f"planner:{item.pk}:2", f"planner:{item.pk}:3"}
        students = scenario.students_by_class[scenario.classes[0].pk]
        rows = Notification.objects.filter(key=f"planner:{item.pk}:1")
        assert {n.recipient_id for n in rows} >= {s.pk for s in students}
        assert rows.count() == 2 * len(students)  # every student and their parent
        # The link names its school, as every stored link does (krijt.schools.paths).
        assert {n.url for n in rows} == {f"/s/{scenario.school.slug}/planner/item/{item.pk}/"}


def test_only_the_author_course_teacher_or_an_admin_may_change_an_item(scenario: Scenario, login_as) -> None:
    item = make_item(scenario.courses[0], day=WEEK)  # taught by teacher 1
    other = login_as("teacher", user=scenario.teachers[1])
    assert other.get(scenario.url(f"/planner/item/{item.pk}/")).status_code == 200  # same class: may see
    assert other.get(scenario.url(f"/planner/item/{item.pk}/edit/")).status_code == 403
    assert other.post(scenario.url(f"/planner/item/{item.pk}/cancel/")).status_code == 403
    student = login_as("student")
    assert student.get(scenario.url("/planner/new/")).status_code == 403
    assert student.post(scenario.url(f"/planner/item/{item.pk}/cancel/")).status_code == 403
    # A teacher cannot plan for a course they do not teach.
    teacher = login_as("teacher")
    response = teacher.post(scenario.url("/planner/new/"), form(scenario, course=scenario.courses[1].pk))
    assert response.status_code == 200
    assert not PlannerItem.objects.filter(title="Breuken").exists()


def test_a_student_of_another_class_or_a_parent_of_another_child_sees_nothing(scenario: Scenario, login_as) -> None:
    item = make_item(scenario.courses[2], day=WEEK)  # class 2A
    student = login_as("student")  # in 1A
    assert student.get(scenario.url(f"/planner/item/{item.pk}/")).status_code == 404
    assert student.get(scenario.url(f"/planner/class/{scenario.classes[1].pk}/")).status_code == 404
    parent = login_as("parent")
    assert parent.get(scenario.url(f"/planner/item/{item.pk}/")).status_code == 404
    assert parent.get(scenario.url(f"/planner/child/{scenario.students[3].pk}/")).status_code == 404
    own = parent.get(scenario.url(f"/planner/child/{scenario.student.pk}/?week={WEEK}"))
    assert own.status_code == 200


def test_another_schools_items_are_not_found(scenario: Scenario, other_school: Scenario, login_as) -> None:
    theirs = make_item(other_school.courses[0], day=WEEK)
    for role in ("teacher", "admin", "staff", "student", "parent"):
        client = login_as(role)
        assert client.get(scenario.url(f"/planner/item/{theirs.pk}/")).status_code == 404
        assert client.get(scenario.url(f"/planner/item/{theirs.pk}/file/1/")).status_code == 404
    admin = login_as("admin")
    assert admin.get(scenario.url(f"/planner/item/{theirs.pk}/edit/")).status_code == 404
    assert admin.post(scenario.url(f"/planner/item/{theirs.pk}/cancel/")).status_code == 404
    assert admin.get(scenario.url(f"/planner/class/{other_school.classes[0].pk}/")).status_code == 404
    bad = admin.post(scenario.url("/planner/new/"), form(scenario, course=other_school.courses[0].pk))
    assert bad.status_code == 200
    assert not PlannerItem.objects.filter(school=scenario.school).exists()
    theirs.refresh_from_db()
    assert theirs.state == "planned"


def test_a_student_marks_an_item_done(scenario: Scenario, login_as) -> None:
    item = make_item(scenario.courses[0], day=WEEK, kind="task")
    student = login_as("student")
    response = student.post(scenario.url(f"/planner/item/{item.pk}/done/"), {"done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Done" in response.content.decode()
    assert "✓" in student.get(scenario.url(f"/planner/me/?week={WEEK}")).content.decode()
    student.post(scenario.url(f"/planner/item/{item.pk}/done/"), {"done": "0"})
    assert "✓" not in student.get(scenario.url(f"/planner/me/?week={WEEK}")).content.decode()
    assert login_as("teacher").post(scenario.url(f"/planner/item/{item.pk}/done/"), {"done": "1"}).status_code == 403


def test_attachments_are_stored_and_served_to_the_class_only(scenario: Scenario, login_as) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_as("teacher")
    upload = SimpleUploadedFile("opgave.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(scenario.url("/planner/new/"), {**form(scenario), "files": [upload]}).status_code == 302
    item = PlannerItem.objects.get()
    attachment = item.attachments.get()
    url = scenario.url(f"/planner/item/{item.pk}/file/{attachment.pk}/")
    student = login_as("student")
    response = student.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    other_class = login_as("student", user=scenario.students[3])
    assert other_class.get(url).status_code == 404
    # Stored under a random name: the teacher's file name is for display and the download only.
    assert "opgave" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    assert (attachment.name, attachment.content_type) == ("opgave.pdf", "application/pdf")


@pytest.mark.parametrize(("name", "content", "told"), [
    ("game.exe", b"MZ\x90\x00", "game.exe is not a type of file accepted here"),
    ("page.html", b"<script>alert(1)</script>", "page.html is not a type of file accepted here"),
    ("opgave.pdf", b"<html><script>alert(1)</script>", "opgave.pdf is not really a .pdf file"),  # a renamed web page
    ("../../etc/passwd.pdf", b"root:x:0:0", "passwd.pdf is not really a .pdf file"),
    ("empty.pdf", b"", "The submitted file is empty"),
])
def test_attachments_go_through_the_one_upload_checker(scenario: Scenario, login_as, name: str,
                                                       content: bytes, told: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login_as("teacher")
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")  # what the browser claims is ignored
    response = client.post(scenario.url("/planner/new/"), {**form(scenario), "files": [upload]})
    assert told in response.content.decode()
    assert not PlannerItem.objects.exists()  # nothing half-saved: no item without its files


def test_workload_settings_are_for_administrators(scenario: Scenario, login_as) -> None:
    assert login_as("teacher").get(scenario.url("/planner/settings/")).status_code == 403
    admin = login_as("admin")
    assert admin.get(scenario.url("/planner/settings/")).status_code == 200
    data = {
        "max_tests_per_day": 1,
        "tests_per_day_level": "block",
        "max_tests_per_week": 4,
        "tests_per_week_level": "warn",
        "min_notice_days": 3,
        "notice_level": "off",
        "evening_cutoff": "18:00",
        "morning_start": "07:30",
        "after_hours_level": "warn",
        "holiday_level": "block",
    }
    assert admin.post(scenario.url("/planner/settings/"), data).status_code == 302
    policy = WorkloadPolicy.objects.get(school=scenario.school)
    assert (policy.max_tests_per_day, policy.tests_per_day_level, policy.admins_override_block) == (1, "block", False)
    bad = admin.post(scenario.url("/planner/settings/"), {**data, "morning_start": "19:00"})
    assert bad.status_code == 200
    assert WorkloadPolicy.objects.get(school=scenario.school).morning_start == dt.time(7, 30)


def test_workload_view_is_for_mentors_staff_and_admins(scenario: Scenario, login_as) -> None:
    make_item(scenario.courses[0], day=WEEK, kind="test", minutes=45)
    staff = login_as("staff").get(scenario.url(f"/planner/workload/?start={WEEK}"))
    assert staff.status_code == 200
    body = staff.content.decode()
    assert "1/0/45" in body
    assert "2A" in body
    mentor = login_as("teacher")  # mentor of 1A
    own = mentor.get(scenario.url(f"/planner/workload/?start={WEEK}")).content.decode()
    assert "1A" in own
    assert ">2A<" not in own
    assert login_as("student").get(scenario.url("/planner/workload/")).status_code == 403
    assert login_as("parent").get(scenario.url("/planner/workload/")).status_code == 403


def test_month_and_teacher_views(scenario: Scenario, login_as) -> None:
    make_item(scenario.courses[0], day=WEEK, title="Maandtoets")
    teacher = login_as("teacher")
    month = teacher.get(scenario.url(f"/planner/class/{scenario.classes[0].pk}/month/?month=2026-10"))
    assert month.status_code == 200
    assert "Maandtoets" in month.content.decode()
    week = teacher.get(scenario.url(f"/planner/teacher/?week={WEEK}"))
    assert "Maandtoets" in week.content.decode()
    assert teacher.get(scenario.url("/planner/")).status_code == 302


def test_the_heatmap_marks_an_overridden_day_in_its_cell(scenario: Scenario, login_as) -> None:
    two_tests(scenario)
    client = login_as("teacher")
    client.post(
        scenario.url("/planner/new/"), {**form(scenario), "override": "1", "override_reason": "Agreed with the class"}
    )
    item = PlannerItem.objects.get(title="Breuken")
    page = login_as("admin").get(scenario.url(f"/planner/workload/?start={WEEK}")).content.decode()
    cells = re.findall(r"<td class=\"([^\"]*)\">(.*?)</td>", page)
    marked = [inner for css, inner in cells if "overridden" in css]
    assert len(marked) == 1
    # The reason is in the cell itself: its accessible name, and shown on hover and keyboard focus.
    assert 'tabindex="0"' in marked[0]
    assert 'aria-label="Workload rule overridden: Agreed with the class"' in marked[0]
    assert 'data-reason="Agreed with the class"' in marked[0]
    assert "3/0/" in marked[0]
    # A cancelled item leaves no mark.
    PlannerItem.objects.filter(pk=item.pk).update(state=PlannerItem.State.CANCELLED)
    page = login_as("admin").get(scenario.url(f"/planner/workload/?start={WEEK}")).content.decode()
    assert "overridden" not in "".join(css for css, _inner in re.findall(r"<td class=\"([^\"]*)\">(.*?)</td>", page))
