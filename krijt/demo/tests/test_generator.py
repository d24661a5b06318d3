"""The school generator in memory: people, families and a timetable without clashes (no database)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from krijt.accounts.models import username_validator
from krijt.core.roles import Role
from krijt.demo.generator import (
    CORE_HOURS,
    LESSON_TIMES,
    WEDNESDAY,
    WEDNESDAY_PERIODS,
    SchoolPlan,
    SchoolSpec,
    TimetableError,
    UsernameBook,
    class_slots,
    curriculum,
    plan_school,
)
from krijt.demo.management.commands.demo_seed import demo_spec


@pytest.fixture(scope="module")
def plan() -> SchoolPlan:
    return plan_school(demo_spec(2026))


def test_the_demo_has_the_asked_numbers(plan: SchoolPlan) -> None:
    roles = Counter(p.role for p in plan.people)
    assert roles == {Role.STUDENT: 600, Role.TEACHER: 60, Role.PARENT: 900, Role.STAFF: 3, Role.ADMIN: 2}
    assert [c.name for c in plan.classes] == [f"{g}{x}" for g in range(1, 7) for x in "ABCD"]
    assert all(len(c.students) == 25 for c in plan.classes)
    titles = {p.title for p in plan.people if p.role in (Role.STAFF, Role.ADMIN)}
    assert "Zorgcoördinator" in titles


def test_the_same_spec_gives_the_same_school(plan: SchoolPlan) -> None:
    again = plan_school(demo_spec(2026))
    assert [(p.username, p.birth_date) for p in again.people] == [(p.username, p.birth_date) for p in plan.people]
    assert again.slots == plan.slots


def test_usernames_are_valid_and_unique(plan: SchoolPlan) -> None:
    usernames = [p.username for p in plan.people]
    assert len(set(usernames)) == len(usernames)
    for username in usernames:
        username_validator(username)


def test_usernames_avoid_names_already_taken() -> None:
    book = UsernameBook("", taken=["emma.peeters"])
    assert book.claim("Emma", "Peeters") == "emma.peeters2"
    assert book.claim("Zoë", "D'Hondt") == "zoe.dhondt"
    assert book.claim("Inès", "Van den Broeck") == "ines.vandenbroeck"
    assert UsernameBook("bench-01.").claim("Ayşe", "Özdemir") == "bench-01.ayse.ozdemir"


def test_families(plan: SchoolPlan) -> None:
    parents_of: dict[int, set[int]] = defaultdict(set)
    children_of: dict[int, set[int]] = defaultdict(set)
    for parent, student in plan.parent_links:
        assert plan.people[parent].role == Role.PARENT
        assert plan.people[student].role == Role.STUDENT
        parents_of[student].add(parent)
        children_of[parent].add(student)
    students = plan.indexes(Role.STUDENT)
    counts = Counter(len(parents_of[s]) for s in students)
    assert max(counts) <= 2
    assert counts[1] + counts[2] > 0.95 * len(students)  # most students have one or two parent accounts
    assert counts[2] > counts[1]
    assert len(children_of) == 900  # every parent account has a child
    several = [p for p, kids in children_of.items() if len(kids) > 1]
    assert 50 < len(several) < 200
    # Brothers and sisters share their family name and are never in the same grade.
    grade_of = {s: c.grade for c in plan.classes for s in c.students}
    for parent in several:
        kids = children_of[parent]
        assert len({plan.people[k].last_name for k in kids}) == 1
        assert len({grade_of[k] for k in kids}) == len(kids)


def test_birth_dates_fit_the_grades(plan: SchoolPlan) -> None:
    start = plan.year.starts_on
    for group in plan.classes:
        for s in group.students:
            born = plan.people[s].birth_date
            assert born is not None
            age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
            assert group.grade + 10 <= age <= group.grade + 12, (group.name, born)
    sixth = [plan.people[s] for c in plan.classes if c.grade == 6 for s in c.students]
    adults = [p for p in sixth if p.birth_date and p.birth_date <= dt.date(start.year - 18, start.month, start.day)]
    assert len(adults) >= 4  # some sixth-years are 18 on the first school day


def test_courses_follow_the_curriculum(plan: SchoolPlan) -> None:
    for index, group in enumerate(plan.classes):
        own = {c.code: c.hours for c in plan.courses if c.class_index == index}
        assert own == curriculum(group.grade, group.stream)
        assert ("LAT" in own) == (group.grade <= 2 and group.name[-1] in "AB")
        assert {"NED", "FRA", "ENG", "WIS", "GES", "AAR", "GOD", "LO"} <= set(own)
        assert group.mentor is not None
        assert any(c.teacher == group.mentor for c in plan.courses if c.class_index == index)
    mentors = [c.mentor for c in plan.classes]
    assert len(set(mentors)) == len(mentors)


def test_teacher_loads_stay_under_a_full_time_post(plan: SchoolPlan) -> None:
    load: Counter[int] = Counter()
    for course in plan.courses:
        load[course.teacher] += course.hours
    assert set(load) == set(plan.indexes(Role.TEACHER))
    assert max(load.values()) <= 22


def check_timetable(plan: SchoolPlan) -> None:
    teacher_busy: set[tuple[int, int, int]] = set()
    class_busy: dict[int, set[tuple[int, int]]] = defaultdict(set)
    placed: Counter[int] = Counter()
    for slot in plan.slots:
        course = plan.courses[slot.course]
        key = (course.teacher, slot.weekday, slot.period)
        assert key not in teacher_busy, f"teacher double-booked: {key}"
        teacher_busy.add(key)
        cell = (slot.weekday, slot.period)
        assert cell not in class_busy[course.class_index]
        class_busy[course.class_index].add(cell)
        placed[slot.course] += 1
        if slot.weekday == WEDNESDAY:
            assert slot.period <= WEDNESDAY_PERIODS
    for i, course in enumerate(plan.courses):
        assert placed[i] == course.hours, course
    for index in range(len(plan.classes)):
        hours = sum(c.hours for c in plan.courses if c.class_index == index)
        assert sorted(class_busy[index]) == class_slots(hours)


def test_the_timetable_is_full_and_without_clashes(plan: SchoolPlan) -> None:
    check_timetable(plan)
    assert len(plan.slots) == sum(c.hours for c in plan.courses)
    assert max(slot.period for slot in plan.slots) == len(LESSON_TIMES)


@pytest.mark.parametrize("classes_per_grade", [1, 2, 3, 5])
def test_other_school_sizes_get_a_valid_timetable(classes_per_grade: int) -> None:
    spec = SchoolSpec(slug=f"size{classes_per_grade}", name="Test", start_year=2027, students=150 * classes_per_grade,
                      parents=220 * classes_per_grade, classes_per_grade=classes_per_grade)
    check_timetable(plan_school(spec))


def test_class_weeks_have_no_gaps() -> None:
    week = class_slots(CORE_HOURS)
    assert len(week) == CORE_HOURS
    assert (WEDNESDAY, WEDNESDAY_PERIODS + 1) not in week
    assert (1, 8) in class_slots(CORE_HOURS + 1)
    with pytest.raises(TimetableError):
        class_slots(CORE_HOURS - 1)
