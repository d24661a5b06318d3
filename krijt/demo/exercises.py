"""The demo school's exercises: the first grade's teachers of maths, Dutch and French write a few exercises, assign
them to their classes (one with a due date in the planner, one to a group of pupils who need more practice), and
the pupils practise over the last month, in class or after school, never at night: each sitting goes through the
submit service at the moment it was finished, and the worker's summaries run every evening. Every pupil has a
level that grows as they practise, so the dashboard shows who mastered what and which items are hard.

Part of krijt.demo.activity's replay.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from krijt.core import clock
from krijt.core.roles import Role
from krijt.exercises import items, rules, services
from krijt.exercises.models import Assignment, Exercise, Item
from krijt.schools.models import ClassGroup, Course

if TYPE_CHECKING:
    from krijt.accounts.models import User
    from krijt.demo.activity import _Replay
    from krijt.demo.selectors import DemoAccounts

TEACHER = frozenset({Role.TEACHER.value})
STUDENT = frozenset({Role.STUDENT.value})
MONTH_OF_SCHOOL_DAYS = 22

# (course code, skill, title, instructions, (m, n), [(kind, prompt, source, hint)])
EXERCISES: list[tuple[str, str, str, str, tuple[int, int], list[tuple[str, str, str, str]]]] = [
    ("WIS", "Breuken", "Breuken vereenvoudigen", "Schrijf elke breuk zo eenvoudig mogelijk.", (4, 5), [
        ("single", "Vereenvoudig \\(\\frac{6}{8}\\).", "\\(\\frac{2}{3}\\)\n*\\(\\frac{3}{4}\\)\n\\(\\frac{6}{4}\\)",
         "Deel teller en noemer door 2."),
        ("numeric", "Hoeveel is \\(\\frac{1}{2}\\) van 7? Schrijf als kommagetal.", "3,5",
         "De helft van 6 is 3; van 1 is het 0,5."),
        ("truefalse", "\\(\\frac{4}{10}\\) is gelijk aan \\(\\frac{2}{5}\\).", "juist",
         "Deel teller en noemer door 2."),
        ("text", "Schrijf \\(\\frac{9}{12}\\) zo eenvoudig mogelijk (bv. 1/2).", "3/4",
         "Wat is de grootste deler van 9 en 12?"),
        ("multiple", "Welke breuken zijn gelijk aan \\(\\frac{1}{3}\\)?", "*2/6\n3/6\n*4/12\n1/6",
         "Vermenigvuldig 1/3."),
        ("order", "Zet van klein naar groot.", "1/4\n1/3\n1/2\n3/4", "Welke breuk ligt het dichtst bij 0?"),
    ]),
    ("WIS", "Delers", "Delers en veelvouden", "", (3, 4), [
        ("match", "Verbind elk getal met zijn kleinste deler groter dan 1.", "15 = 3\n14 = 2\n25 = 5\n= 7",
         "Probeer eerst 2, dan 3, dan 5."),
        ("single", "Welk getal is een veelvoud van 6?", "16\n*24\n28",
         "Een veelvoud van 6 is ook een veelvoud van 2 en 3."),
        ("numeric", "Wat is de grootste gemeenschappelijke deler van 18 en 24?", "6", "Schrijf de delers van 18 op."),
        ("truefalse", "Elk getal is een deler van zichzelf.", "juist", ""),
        ("inline", "Een getal is deelbaar door 9 als de som van zijn cijfers [*deelbaar is door 9|even is|groter is "
                   "dan 9].", "", "Probeer het met 81."),
    ]),
    ("NED", "Spelling", "Werkwoorden: tegenwoordige tijd", "Vul de juiste vorm in.", (4, 5), [
        ("inline", "Hij [*vindt|vind|vint] zijn boek niet.", "", "Hij + stam + t."),
        ("inline", "[*Vind|Vindt] jij het ook moeilijk?", "", "Staat jij achter het werkwoord? Dan geen t."),
        ("text", "Schrijf de juiste vorm van 'worden': Het ... koud.", "wordt", "Het + stam + t."),
        ("gapmatch", "Sleep de juiste vorm naar elk gat.", "Ik [loop] naar school en zij [fietst].\n+ loopt, fiets",
         "Ik: alleen de stam."),
        ("truefalse", "'Hij antwoord' is juist geschreven.", "fout", "Hij + stam + t: antwoordt."),
    ]),
    ("FRA", "Woordenschat", "La famille", "Wat betekent het?", (4, 5), [
        ("match", "Verbind het Franse woord met het Nederlandse.", "la mère = de moeder\nle frère = de broer\n"
                  "la tante = de tante\n= de neef", "Denk aan 'maternel'."),
        ("text", "Hoe zeg je 'de zus' in het Frans?", "la sœur\nla soeur\nsœur\nsoeur", "Het begint met s."),
        ("single", "Wat betekent 'les grands-parents'?", "de ouders\n*de grootouders\nde kleinkinderen", ""),
        ("order", "Zet de zin in de juiste volgorde.", "Mon\nfrère\ns'appelle\nTom.", "Begin met 'Mon'."),
    ]),
]


def practice(replay: _Replay, rng: random.Random, *, groups: list[ClassGroup],
             courses_by_class: dict[int, list[Course]], students_by_class: dict[int, list[User]], today: dt.date,
             family: DemoAccounts) -> None:
    from krijt.demo.activity import _quiet_refusals, school_days
    from krijt.schools.selectors import school_calendar

    school = replay.school
    calendar = school_calendar(school=school)
    month = sorted(school_days(calendar, start=today, count=MONTH_OF_SCHOOL_DAYS, step=-1))
    if len(month) < 10:
        return
    family_class = next((g.pk for g in groups if g.pk in students_by_class and
                         family.student in students_by_class[g.pk]), None)
    chosen = [g for g in groups if g.grade == 1 or g.pk == family_class]
    made: dict[str, Exercise] = {}
    assignments: dict[int, list[Assignment]] = {}

    def course_of(group: ClassGroup, code: str) -> Course | None:
        return next((c for c in courses_by_class.get(group.pk, []) if c.code == code and c.teacher is not None), None)

    def write() -> None:
        for code, skill, title, instructions, (m, n), questions in EXERCISES:
            author = next((c.teacher for g in chosen if (c := course_of(g, code)) is not None), None)
            if author is None:
                continue
            with _quiet_refusals("an exercise"), transaction.atomic():
                exercise = services.exercise_create(
                    school=school, actor=author, roles=TEACHER, data=services.ExerciseIn(
                        subject=code_name(code), skill=skill, title=title, instructions=instructions, grade=1,
                        rule_m=m, rule_n=n))
                for kind, prompt, source, hint in questions:
                    services.item_add(
                        school=school, actor=author, roles=TEACHER, exercise=exercise, data=services.ItemIn(
                            kind=kind, prompt=prompt if kind != "inline" else "Kies het juiste woord.",
                            source=source if kind != "inline" else prompt, hints=[hint] if hint else [],
                            feedback_correct="Goed zo!"))
                made[title] = exercise
                replay.summary.counts["exercises"] += 1

    replay.at(month[0], dt.time(16, 10), write)

    def give(group: ClassGroup, title: str, *, due: dt.date | None = None, weakest: int = 0) -> None:
        exercise = made.get(title)
        course = course_of(group, _code_of(title))
        if exercise is None or course is None or course.teacher is None:
            return
        pupils = students_by_class.get(group.pk, [])
        with _quiet_refusals("an assignment"):
            if weakest:
                slow = sorted(pupils, key=lambda p: level[p.pk])[:weakest]
                group_made = services.group_save(school=school, actor=course.teacher, roles=TEACHER, course=course,
                                                 name="Extra oefenen", student_ids=[p.pk for p in slow])
                data = services.AssignIn(course_id=course.pk, exercise_id=exercise.pk, group_id=group_made.pk)
            else:
                data = services.AssignIn(course_id=course.pk, exercise_id=exercise.pk, due_date=due, minutes=15)
            assignment = services.assignment_create(school=school, actor=course.teacher, roles=TEACHER, data=data)
            assignments.setdefault(group.pk, []).append(assignment)
            replay.summary.counts["assignments"] += 1

    def giving(group: ClassGroup, title: str, due: dt.date | None, weakest: int) -> Callable[[], None]:
        return lambda: give(group, title, due=due, weakest=weakest)

    level: dict[int, float] = {}
    for group in chosen:
        for pupil in students_by_class.get(group.pk, []):
            level[pupil.pk] = rng.uniform(0.5, 0.92)
        plan = [(0, "Breuken vereenvoudigen", None, 0), (3, "Werkwoorden: tegenwoordige tijd", None, 0),
                (8, "Delers en veelvouden", 13, 0), (12, "La famille", None, 0),
                (15, "Breuken vereenvoudigen", None, 5)]
        for index, title, due_index, weakest in plan:
            if index >= len(month):
                continue
            due = month[due_index] if due_index is not None and due_index < len(month) else None
            replay.at(month[index], dt.time(16, 20), giving(group, title, due, weakest))

    def sittings(group: ClassGroup, moment: str) -> None:
        for assignment in assignments.get(group.pk, []):
            chosen_ids = set() if assignment.whole_class else set(
                assignment.audience.values_list("student_id", flat=True))
            audience = [p for p in students_by_class.get(group.pk, []) if assignment.whole_class or p.pk in chosen_ids]
            content = _content(assignment)
            for pupil in audience:
                if rng.random() > (0.45 if moment == "class" else 0.25):
                    continue
                sitting = _sit(rng, assignment, content, level[pupil.pk])
                if sitting is None:
                    continue
                with _quiet_refusals("a sitting"):
                    services.attempt_submit(school=school, student=pupil, roles=STUDENT, data=sitting)
                    replay.summary.counts["sittings"] += 1
                level[pupil.pk] = min(0.98, level[pupil.pk] + 0.03)

    def step(moment: str) -> Callable[[], None]:
        def run() -> None:
            for group in chosen:
                sittings(group, moment)

        return run

    def summarize() -> None:
        services.summarize()

    for day in month[1:]:
        replay.at(day, dt.time(13, 50), step("class"))
        replay.at(day, dt.time(16, 45), step("home"))
        replay.at(day, dt.time(18, 55), summarize)


def code_name(code: str) -> str:
    from krijt.demo.generator import SUBJECTS

    return SUBJECTS[code][0]


def _code_of(title: str) -> str:
    return next(code for code, _skill, t, *_rest in EXERCISES if t == title)


def _content(assignment: Assignment) -> list[tuple[int, str, dict[str, Any]]]:
    return [(i.current.pk, i.current.kind, i.current.body) for i in
            Item.objects.filter(school=assignment.school, exercise_id=assignment.exercise_id, removed=False)
            .select_related("current").order_by("position") if i.current is not None]


def _sit(rng: random.Random, assignment: Assignment, content: list[tuple[int, str, dict[str, Any]]],
         level: float) -> services.AttemptIn | None:
    """One sitting as a pupil of this level does it on the device: items in a shuffled cycle, until mastery or the
    sitting's limit; some sittings stop early."""
    if not content:
        return None
    rule = rules.Rule(assignment.rule_m, assignment.rule_n)
    limit = rules.sitting_limit(rule, len(content))
    stop_after = limit if rng.random() < 0.8 else rng.randint(2, limit)
    order: list[int] = []
    answers: list[dict[str, Any]] = []
    results: list[bool] = []
    seconds = 0
    while len(answers) < stop_after and not rules.mastered(rule, results):
        if not order:
            order = rng.sample(range(len(content)), len(content))
        revision, kind, body = content[order.pop()]
        ok = rng.random() < level
        response = items.correct_response(kind, body) if ok else _wrong(kind, body)
        ok = items.score(kind, body, response)
        ms = rng.randint(6000, 40000)
        seconds += ms // 1000
        answers.append({"item": revision, "r": response, "ok": ok, "hints": 0 if ok else rng.randint(0, 1), "ms": ms})
        results.append(ok)
    finished = clock.now()
    return services.AttemptIn(key=uuid.UUID(int=rng.getrandbits(128), version=4), assignment_id=assignment.pk,
                              started_at=finished - dt.timedelta(seconds=seconds), finished_at=finished, rule_m=rule.m,
                              rule_n=rule.n, answers=answers, mastered=rules.mastered(rule, results))


def _wrong(kind: str, body: dict[str, Any]) -> Any:
    """A wrong answer a pupil might give."""
    if kind == items.Kind.SINGLE:
        return (body["correct"] + 1) % len(body["options"])
    if kind == items.Kind.MULTIPLE:
        return body["correct"][:1]
    if kind == items.Kind.TRUEFALSE:
        return not body["correct"]
    if kind == items.Kind.TEXT:
        return body["accepted"][0][:-1]
    if kind == items.Kind.NUMERIC:
        return items.format_number(Decimal(body["value"]) + 1)
    if kind == items.Kind.INLINE:
        return [(g["correct"] + 1) % len(g["options"]) for g in body["gaps"]]
    if kind == items.Kind.GAPMATCH:
        words = [w for w in body["words"] if w not in body["answers"]] or body["answers"]
        return [words[0] for _a in body["answers"]]
    if kind == items.Kind.ORDER:
        return list(reversed(range(len(body["lines"]))))
    if kind == items.Kind.MATCH:
        n = len(body["pairs"])
        return [(i + 1) % n for i in range(n)]
    return None
