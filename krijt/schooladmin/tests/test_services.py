"""The school-structure services refuse what the pages might let through by mistake."""

from __future__ import annotations

import datetime as dt

import pytest

from krijt.accounts.models import Membership
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.schooladmin import services as people
from krijt.schools import services
from krijt.schools.models import Enrollment, TimetableSlot
from tests.scenario import Scenario


@pytest.mark.django_db
def test_services_refuse_objects_of_another_school(scenario: Scenario, other_school: Scenario) -> None:
    school = scenario.school
    with pytest.raises(NotFound):
        services.class_update(
            actor=scenario.admin, school=school, class_group=other_school.classes[0], name="X", grade=1
        )
    with pytest.raises(NotFound):
        services.course_delete(actor=scenario.admin, school=school, course=other_school.courses[0])
    with pytest.raises(NotFound):
        services.timetable_slot_create(
            actor=scenario.admin,
            school=school,
            course=other_school.courses[0],
            weekday=1,
            lesson_period=scenario.lesson_periods[6],
        )
    with pytest.raises(NotFound):
        services.enrollment_set(
            actor=scenario.admin,
            school=school,
            school_year=scenario.year,
            student=scenario.student,
            class_group=other_school.classes[0],
        )
    with pytest.raises(NotFound):
        people.person_update(
            school=school, actor=scenario.admin, user=other_school.teacher, first_name="X", last_name="Y"
        )
    assert other_school.courses[0].__class__.objects.filter(pk=other_school.courses[0].pk).exists()


@pytest.mark.django_db
def test_mentor_and_teacher_must_teach_in_this_school(scenario: Scenario, other_school: Scenario) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.class_create(
            actor=scenario.admin,
            school=scenario.school,
            school_year=scenario.year,
            name="9Z",
            grade=9,
            mentor=other_school.teacher,
        )
    assert "mentor" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        services.course_create(
            actor=scenario.admin,
            school=scenario.school,
            class_group=scenario.classes[0],
            name="Latijn",
            teacher=other_school.teacher,
        )
    assert "teacher" in info.value.fields


@pytest.mark.django_db
def test_enrollment_set_moves_a_student_between_classes(scenario: Scenario) -> None:
    student = scenario.student
    services.enrollment_set(
        actor=scenario.admin,
        school=scenario.school,
        school_year=scenario.year,
        student=student,
        class_group=scenario.classes[1],
    )
    assert Enrollment.objects.get(student=student).class_group == scenario.classes[1]
    assert Enrollment.objects.filter(student=student).count() == 1


@pytest.mark.django_db
def test_slot_clash_leaves_the_timetable_unchanged(scenario: Scenario) -> None:
    with pytest.raises(Conflict) as info:
        services.timetable_slot_create(
            actor=scenario.admin,
            school=scenario.school,
            course=scenario.courses[1],
            weekday=2,
            lesson_period=scenario.lesson_periods[0],
        )
    assert "lesson_period" in info.value.fields
    assert TimetableSlot.objects.filter(school=scenario.school).count() == 20


@pytest.mark.django_db
def test_the_last_administrator_stays(scenario: Scenario) -> None:
    other_admin = scenario.staff
    Membership.objects.create(school=scenario.school, user=other_admin, role=Role.ADMIN)
    people.person_role_remove(school=scenario.school, actor=scenario.admin, user=other_admin, role=Role.ADMIN)
    Membership.objects.filter(school=scenario.school, user=scenario.admin, role=Role.ADMIN).delete()
    Membership.objects.create(school=scenario.school, user=other_admin, role=Role.ADMIN)
    with pytest.raises(Conflict):  # the roles as a page read them when the request began
        people.person_role_remove(
            school=scenario.school,
            actor=scenario.admin,
            user=other_admin,
            role=Role.ADMIN,
            roles=frozenset({Role.ADMIN}),
        )


@pytest.mark.django_db
def test_calendar_entry_must_lie_inside_its_school_year(scenario: Scenario) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.calendar_entry_create(
            actor=scenario.admin,
            school=scenario.school,
            school_year=scenario.year,
            kind="holiday",
            name="Zomer",
            starts_on=dt.date(2027, 7, 1),
            ends_on=dt.date(2027, 8, 31),
        )
    assert "starts_on" in info.value.fields


@pytest.mark.django_db
def test_changes_to_people_are_refused_to_anyone_but_an_administrator_even_when_called_directly(
    scenario: Scenario,
) -> None:
    student, year = scenario.student, scenario.year
    attempts = [
        lambda actor: people.person_create(
            school=scenario.school, actor=actor, username="alpha.sneaky", first_name="S", last_name="N", role=Role.ADMIN
        ),
        lambda actor: people.person_update(
            school=scenario.school, actor=actor, user=student, first_name="X", last_name="Y"
        ),
        lambda actor: people.person_role_add(school=scenario.school, actor=actor, user=actor, role=Role.ADMIN),
        lambda actor: people.person_role_remove(
            school=scenario.school, actor=actor, user=scenario.admin, role=Role.ADMIN
        ),
        lambda actor: people.person_parent_unlink(
            school=scenario.school, actor=actor, student=student, parent_id=scenario.parent.pk
        ),
        lambda actor: people.person_enrol(
            school=scenario.school, actor=actor, user=student, school_year=year, class_group=None
        ),
    ]
    for actor in (scenario.staff, scenario.teacher, scenario.student, scenario.parent):
        for attempt in attempts:
            with pytest.raises(Forbidden):
                attempt(actor)
    student.refresh_from_db()
    assert student.first_name != "X"
    assert not Membership.objects.filter(school=scenario.school, role=Role.ADMIN).exclude(user=scenario.admin).exists()


@pytest.mark.django_db
def test_changes_to_the_structure_are_refused_to_anyone_but_an_administrator_even_when_called_directly(
    scenario: Scenario,
) -> None:
    group, course = scenario.classes[0], scenario.courses[0]
    attempts = [
        lambda actor: services.school_year_create(
            actor=actor, school=scenario.school, name="2030-2031", starts_on=dt.date(2030, 9, 1),
            ends_on=dt.date(2031, 6, 30)),
        lambda actor: services.class_create(
            actor=actor, school=scenario.school, school_year=scenario.year, name="9Z", grade=1),
        lambda actor: services.class_update(actor=actor, school=scenario.school, class_group=group, name="X", grade=1),
        lambda actor: services.course_delete(actor=actor, school=scenario.school, course=course),
        lambda actor: services.enrollment_set(
            actor=actor, school=scenario.school, school_year=scenario.year, student=scenario.student,
            class_group=None),
        lambda actor: services.lesson_period_delete(
            actor=actor, school=scenario.school, lesson_period=scenario.lesson_periods[-1]),
    ]
    for actor in (scenario.staff, scenario.teacher, scenario.student, scenario.parent):
        for attempt in attempts:
            with pytest.raises(Forbidden):
                attempt(actor)
    group.refresh_from_db()
    assert group.name != "X"
    assert Enrollment.objects.filter(school=scenario.school, student=scenario.student).exists()
