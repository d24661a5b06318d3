"""The demo school's term so far: what its people did in the last weeks, replayed through the services.

Every step goes through the same service a person's click would call (planning, handing in, feedback, scores,
publishing, messages, report-card drafts, an import), at the moment it happened: the clock is moved to that
moment while the step runs, then the queued tasks and the notification dispatcher run as the worker would at
that moment. So every rule holds on the demo's data as it would on a real school's: a test planned beside two
others needed a reason, a message written at night reached its readers' phones the next morning, parents saw
results a day after their children, digests went out at their hour.

Deterministic for a given school, day and seed. Steps after the present moment are not replayed; a scheduled
message is stored to go out later, as a teacher would leave it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from krijt.accounts.models import User
from krijt.core import clock, worker
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import Role
from krijt.demo import announcements as demo_news
from krijt.demo import attendance as demo_attendance
from krijt.demo import care as demo_care
from krijt.demo import documents as demo_documents
from krijt.demo import exercises as demo_exercises
from krijt.demo import live as demo_live
from krijt.demo.selectors import DemoAccounts, demo_accounts
from krijt.handin import services as handin
from krijt.handin.models import Submission
from krijt.imports import services as imports
from krijt.imports.models import ImportJob
from krijt.messaging import services as messaging
from krijt.messaging.models import Message
from krijt.planner import services as planner
from krijt.planner.models import PlannerItem
from krijt.planner.services import WorkloadBlocked, WorkloadWarning
from krijt.reportcards import services as reportcards
from krijt.results import services as results
from krijt.results.models import Evaluation
from krijt.schools.calendar import SchoolCalendar
from krijt.schools.models import ClassGroup, Course, Enrollment, Period, School
from krijt.schools.selectors import school_calendar

logger = logging.getLogger(__name__)

TEACHER = frozenset({Role.TEACHER.value})
STUDENT = frozenset({Role.STUDENT.value})
PARENT = frozenset({Role.PARENT.value})
ADMIN = frozenset({Role.ADMIN.value})

PAST_SCHOOL_DAYS = 15  # three weeks of term behind the present
COMING_SCHOOL_DAYS = 10
FOCUS_CLASSES_PER_GRADE = 1  # besides the demo family's classes: full activity in one class per grade

# What teachers give, per course code: tasks and tests with a title a Flemish class would recognise.
TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "NED": (("Leesverslag 'Het geheim van de keel'", "Schrijfopdracht: een zakelijke e-mail"),
            ("Toets spelling werkwoorden", "Toets woordenschat thema 3")),
    "FRA": (("Exercices p. 54-55: le passé composé", "Fiche vocabulaire: la ville"),
            ("Toets passé composé", "Toets woordenschat unité 3")),
    "ENG": (("Reading log: chapter 4", "Write a short review of a film"),
            ("Toets irregular verbs", "Toets unit 3 vocabulary")),
    "DUI": (("Übungen Seite 31", "Wortschatz Kapitel 2"), ("Toets Perfekt", "Toets Wortschatz")),
    "WIS": (("Oefeningen breuken p. 42 (reeks A)", "Taak: vergelijkingen oplossen"),
            ("Toets vergelijkingen", "Toets meetkunde: driehoeken")),
    "WIV": (("Oefenreeks functies", "Taak: bewijs van de stelling van Pythagoras"),
            ("Toets functies", "Toets limieten")),
    "INF": (("Programmeeropdracht: een rekenmachine", "Oefeningen lussen"), ("Toets variabelen en lussen",)),
    "GES": (("Bronnenonderzoek: de Romeinen in onze streek", "Tijdlijn hoofdstuk 2"),
            ("Toets hoofdstuk 2", "Toets de Franse Revolutie")),
    "AAR": (("Kaartopdracht: de rivieren van België", "Klimaatgrafiek maken"), ("Toets kaartlezen",)),
    "NWE": (("Verslag proef: water koken", "Werkblad de cel"), ("Toets de cel", "Toets stoffen en mengsels")),
    "BIO": (("Verslag practicum: het hart", "Werkblad ecosystemen"), ("Toets het hart en de bloedsomloop",)),
    "FYS": (("Labo-verslag: de slinger", "Oefeningen snelheid"), ("Toets beweging",)),
    "CHE": (("Oefeningen reactievergelijkingen", "Labo-verslag: zuren en basen"), ("Toets het periodiek systeem",)),
    "LAB": (("Labo-verslag: dichtheid meten",), ("Labotoets meetfouten",)),
    "ONW": (("Onderzoeksvraag en hypothese formuleren",), ()),
    "ONE": (("Enquête opstellen",), ()),
    "GOD": (("Reflectie: wat is voor jou een goede vriend?",), ("Toets wereldgodsdiensten",)),
    "FIL": (("Essay: mag een robot liegen?",), ("Toets Plato en Aristoteles",)),
    "LO": ((), ()),
    "LAT": (("Vertaling Fabula 12", "Woordenlijst les 6 leren"), ("Toets naamvallen", "Toets vocabulaire les 5")),
    "ECO": (("Casus: het budget van een gezin", "Krantenknipsel bespreken"), ("Toets vraag en aanbod",)),
    "STM": (("Ontwerpopdracht: een brug van papier",), ("Toets krachten",)),
    "TEC": (("Werktekening maken", "Stappenplan: een elektrische kring"), ("Toets elektriciteit",)),
    "MUZ": (("Luisteropdracht: de vier seizoenen",), ()),
    "BEE": (("Moodboard: kleur en emotie",), ()),
}
HANDIN_TEXTS = (
    "Dag meneer/mevrouw, hierbij mijn taak. Bij oefening 3 twijfelde ik over de laatste stap.",
    "Hier is mijn taak. Ik heb alles gemaakt, ook de extra oefeningen.",
    "In bijlage mijn werk. Vraag 2 vond ik moeilijk, ik heb het zo goed mogelijk geprobeerd.",
    "Mijn taak is af. Ik heb de bronnen onderaan vermeld.",
    "Sorry dat het wat korter is, ik was ziek op dinsdag. De rest maak ik deze week af.",
)
FEEDBACK_TEXTS = (
    "Goed gewerkt! Je redenering is duidelijk. Let nog op je notaties.",
    "Mooi werk. Bij vraag 2 mis je een stap: kijk samen met mij in de les.",
    "Netjes en volledig. Blijf zo verder doen.",
    "Een goede start. Werk de conclusie nog wat verder uit; we bespreken het donderdag.",
    "Sterk werk, vooral het laatste deel. Denk aan je bronvermelding.",
)
SENSITIVE_COMMENT = "Dit lukte nog niet zo goed. We bekijken samen in de les wat je kunt oefenen; kom gerust langs."
COURSE_COMMENTS = (
    "Werkt actief mee in de les en maakt de taken zorgvuldig.",
    "Goede resultaten. Mag in de les wat vaker een vraag stellen.",
    "Vooruitgang sinds september; blijft oefenen loont.",
    "Werkt zelfstandig en helpt anderen graag.",
    "Let op het tijdig indienen van taken.",
)
MENTOR_COMMENTS = (
    "Een fijn eerste trimester. Je zet je goed in; blijf regelmatig plannen.",
    "Je bent een aangename leerling in de klas. Probeer je studietijd wat beter te spreiden.",
    "Mooie inzet! Let vooral op je taken voor de talen.",
)
PARENT_REPLIES = (
    "Dank u voor het bericht. We zijn graag aanwezig op het oudercontact.",
    "Bedankt voor de info. Mijn zoon heeft de strook al mee.",
    "Bedankt! Kan het gesprek na 17 uur? Ik werk tot 16:30.",
    "Dank u, we hebben het thuis besproken.",
)


@dataclass
class Summary:
    """What the replay did, for the command's output and for tests."""

    counts: Counter[str] = field(default_factory=Counter)
    warned: int = 0

    def lines(self) -> list[str]:
        c = self.counts
        return [
            f"  Activity: {c['items']} planned tasks and tests ({self.warned} planned after a workload warning, with a "
            f"reason), {c['submissions']} hand-ins ({c['feedback']} with feedback returned), {c['evaluations']} "
            f"evaluations with {c['scores']} scores ({c['published']} published), {c['messages']} messages and "
            f"replies ({c['scheduled']} scheduled), {c['card_comments']} report-card comments, "
            f"{c['imports']} import, {c['registers']} registers taken ({c['reports']} absences reported by parents, "
            f"{c['coded']} half days coded), {c['notes']} follow-up notes ({c['replies']} replies), "
            f"{c['announcements']} announcements ({c['answers']} answers to a reply slip), {c['events']} events in "
            f"the school calendar, {c['documents']} documents in course folders, {c['live_lessons']} weekly live "
            f"lessons ({c['live_joins']} students joined them), "
            f"{c['exercises']} exercises in {c['assignments']} assignments ({c['sittings']} finished sittings), "
            f"{c['dispatched']} notifications delivered",
        ]


@dataclass
class _Step:
    moment: dt.datetime
    order: int
    run: Callable[[], None]


class _Replay:
    """Steps kept in time order; each runs with the clock at its moment, then the worker's work of that moment."""

    def __init__(self, *, school: School, now: dt.datetime) -> None:
        self.school = school
        self.tz = ZoneInfo(school.time_zone)
        self.now = now
        self.steps: list[_Step] = []
        self.summary = Summary()
        self.items: dict[str, PlannerItem] = {}
        self.evaluations: dict[str, Evaluation] = {}

    def at(self, day: dt.date, time: dt.time, run: Callable[[], None]) -> None:
        moment = clock.aware(day, time, self.tz)
        if moment < self.now:
            self.steps.append(_Step(moment, len(self.steps), run))

    def play(self) -> None:
        import time_machine  # the demo's replay only; a dependency of the test suite too

        for step in sorted(self.steps, key=lambda s: (s.moment, s.order)):
            with time_machine.travel(step.moment, tick=False):
                step.run()
                self.summary.counts["dispatched"] += _work_until_quiet()


def _work_until_quiet() -> int:
    """The tasks queued so far and the notifications due now, as the worker would run them at this moment."""
    delivered = 0
    for _ in range(1000):
        ran = worker.run_pending_tasks(limit=200)
        sent = worker.run_registered()
        delivered += sent
        if not ran and not sent:
            break
    return delivered


@contextmanager
def _quiet_refusals(what: str) -> Iterator[None]:
    """A step a service refuses (a rule the replay did not foresee) is left out, as a person would give up."""
    try:
        yield
    except (Conflict, Forbidden, NotFound, ValidationFailed) as error:
        logger.info("demo activity: %s refused: %s", what, error)


def school_days(calendar: SchoolCalendar, *, start: dt.date, count: int, step: int) -> list[dt.date]:
    """`count` school days from `start` (excluded) going forward (step 1) or back (step -1), nearest first."""
    days: list[dt.date] = []
    day = start
    for _ in range(count * 4 + 60):
        day += dt.timedelta(days=step)
        if calendar.is_school_day(day):
            days.append(day)
            if len(days) == count:
                break
    return days


def demo_activity_build(*, school: School, seed: str = "demo", now: dt.datetime | None = None) -> Summary:
    """Replays the last weeks of term in the demo school. Call once, on a freshly built school."""
    moment = now or clock.now()
    replay = _Replay(school=school, now=moment)
    family = demo_accounts(school=school)
    if family is None:
        return replay.summary
    rng = random.Random(f"{seed}:{school.slug}")  # noqa: S311 - demo data, repeatable on purpose
    today = moment.astimezone(replay.tz).date()
    calendar = school_calendar(school=school)
    past = sorted(school_days(calendar, start=today, count=PAST_SCHOOL_DAYS, step=-1))
    coming = school_days(calendar, start=today - dt.timedelta(days=1), count=COMING_SCHOOL_DAYS, step=1)
    if not past and not coming:
        return replay.summary
    groups = list(ClassGroup.objects.filter(school=school).select_related("mentor").order_by("grade", "name"))
    focus = _focus_classes(school=school, groups=groups, family=family)
    courses_by_class: dict[int, list[Course]] = {}
    for course in Course.objects.filter(school=school).select_related("teacher", "class_group").order_by("pk"):
        courses_by_class.setdefault(course.class_group_id, []).append(course)
    students_by_class: dict[int, list[User]] = {}
    for enrollment in (Enrollment.objects.filter(school=school).select_related("student")
                       .order_by("student__last_name", "student__first_name")):
        students_by_class.setdefault(enrollment.class_group_id, []).append(enrollment.student)

    for group in groups:
        _plan_class(replay, rng, group=group, courses=courses_by_class.get(group.pk, []),
                    students=students_by_class.get(group.pk, []), past=past, coming=coming,
                    full=group.pk in focus, family=family)
    demo_attendance.registers(replay, rng, groups=groups, focus=focus, students_by_class=students_by_class,
                              past=past, today=today, family=family)
    demo_care.notes(replay, rng, groups=groups, focus=focus, students_by_class=students_by_class, past=past,
                    family=family)
    for group in groups:
        if group.pk in focus:
            _messages_for_class(replay, rng, group=group, students=students_by_class.get(group.pk, []), past=past)
            _report_card_drafts(replay, rng, group=group, courses=courses_by_class.get(group.pk, []),
                                students=students_by_class.get(group.pk, []), past=past)
    _school_messages(replay, family=family, past=past, coming=coming)
    demo_news.term(replay, rng, past=past, coming=coming, family=family)
    demo_documents.folders(replay, rng, groups=groups, courses_by_class=courses_by_class, past=past, coming=coming,
                           family=family)
    demo_live.lessons(replay, rng, past=past, family=family, students_by_class=students_by_class)
    demo_exercises.practice(replay, rng, groups=groups, courses_by_class=courses_by_class,
                            students_by_class=students_by_class, today=today, family=family)
    _import(replay, family=family, past=past)
    # The worker's rounds at the moments deliveries fall due: the morning after a quiet night, digest hours.
    for day in sorted({*past, today}):
        for hour in (dt.time(7, 1), dt.time(12, 0), dt.time(16, 30), dt.time(18, 1), dt.time(19, 1)):
            replay.at(day, hour, lambda: None)
    replay.play()
    _seen_by_the_family(school=school, family=family)
    return replay.summary


def _focus_classes(*, school: School, groups: list[ClassGroup], family: DemoAccounts) -> set[int]:
    chosen = set(Enrollment.objects.filter(
        school=school, student__parent_links__parent=family.parent, student__parent_links__school=school,
    ).values_list("class_group_id", flat=True))
    per_grade: Counter[int] = Counter()
    for group in groups:
        if per_grade[group.grade] < FOCUS_CLASSES_PER_GRADE and group.pk not in chosen:
            chosen.add(group.pk)
            per_grade[group.grade] += 1
    return chosen


# ---------------------------------------------------------------- the planner, hand-ins and results


def _titles(course: Course) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return TOPICS.get(course.code, ((), ()))


def _plan_class(replay: _Replay, rng: random.Random, *, group: ClassGroup, courses: list[Course],
                students: list[User], past: list[dt.date], coming: list[dt.date], full: bool,
                family: DemoAccounts) -> None:
    """Tasks and tests across the weeks around the present; in focus classes hand-ins, feedback and results."""
    with_work = [c for c in courses if any(_titles(c))]
    rng.shuffle(with_work)
    # The mentor's own course first: its newest hand-ins and scores are the ones still waiting for them.
    with_work.sort(key=lambda c: c.teacher_id != group.mentor_id)
    planned_tests: Counter[dt.date] = Counter()
    # Coming work, planned one to five school days ago, as teachers do after a lesson.
    for course in with_work[: 6 if full else 2]:
        tasks, tests = _titles(course)
        kind = PlannerItem.Kind.TEST if tests and (not tasks or rng.random() < 0.5) else PlannerItem.Kind.TASK
        title = rng.choice(tests if kind == PlannerItem.Kind.TEST else tasks)
        due = rng.choice(coming[2:]) if len(coming) > 2 else (coming[-1] if coming else None)
        if due is None:
            continue
        if kind == PlannerItem.Kind.TEST:
            planned_tests[due] += 1
        on = past[-rng.randint(1, min(5, len(past)))] if past else None
        if on is not None:
            replay.at(on, dt.time(15, 40 + rng.randint(0, 15)),
                      _plan_step(replay, course=course, kind=kind, title=title, due=due, minutes=_minutes(kind, rng)))
    if full and coming:
        # A third test on a busy day: the planner warns, the teacher plans it anyway and says why.
        busy = max(coming[2:] or coming, key=lambda d: planned_tests[d])
        testers = [c for c in with_work if _titles(c)[1]]
        for course in testers[:1]:
            if past:
                replay.at(past[-1], dt.time(16, 5 + len(replay.steps) % 20),
                          _plan_step(replay, course=course, kind=PlannerItem.Kind.TEST, title=_titles(course)[1][0],
                                     due=busy, minutes=50,
                                     reason="Inhaaltoets: de klas was op uitstap toen de toets gepland stond."))
    if not full or len(past) < 6:
        return
    # Work behind us: tasks handed in (a few late, a few not), feedback returned on most; tests scored.
    for index, course in enumerate(with_work[:4]):
        tasks, tests = _titles(course)
        due = past[-(2 + index * 2)] if len(past) > 2 + index * 2 else past[0]
        planned_on = past[max(0, past.index(due) - 5)]
        if tasks:
            title = tasks[-1]
            key = f"task:{group.pk}:{course.pk}"
            replay.at(planned_on, dt.time(12, 10), _plan_step(replay, course=course, kind=PlannerItem.Kind.TASK,
                                                              title=title, due=due, minutes=45, key=key))
            _hand_ins(replay, rng, key=key, course=course, students=students, due=due, past=past,
                      feedback=index > 0, family=family)
        if tests and index < 3:
            key = f"test:{group.pk}:{course.pk}"
            replay.at(planned_on, dt.time(12, 20), _plan_step(replay, course=course, kind=PlannerItem.Kind.TEST,
                                                              title=tests[-1], due=due, minutes=50, key=key))
            _scores(replay, rng, key=key, course=course, students=students, day=due, past=past,
                    publish=index > 0 or family.student not in students)


def _minutes(kind: str, rng: random.Random) -> int:
    return 50 if kind == PlannerItem.Kind.TEST else rng.choice((20, 30, 45, 60))


def _plan_step(replay: _Replay, *, course: Course, kind: str, title: str, due: dt.date, minutes: int,
               reason: str = "", key: str = "") -> Callable[[], None]:
    def run() -> None:
        teacher = course.teacher
        if teacher is None:
            return
        arguments: dict[str, Any] = {
            "school": replay.school, "actor": teacher, "roles": TEACHER, "course": course, "kind": kind,
            "title": title, "due_date": due, "minutes": minutes,
            "description": "Zie ook de notities in de les." if kind == PlannerItem.Kind.TASK else
            "Leerstof: de lessen sinds de vorige toets.",
        }
        with _quiet_refusals(f"planning {title}"):
            try:
                item = planner.item_plan(**arguments, override_reason=reason)
            except WorkloadWarning:
                item = planner.item_plan(**arguments, override_reason=reason or "Afgesproken met de klas.")
                replay.summary.warned += 1
            except WorkloadBlocked:
                return
            else:
                if reason:
                    replay.summary.warned += 1
            replay.summary.counts["items"] += 1
            if key:
                replay.items[key] = item
    return run


def _hand_ins(replay: _Replay, rng: random.Random, *, key: str, course: Course, students: list[User],
              due: dt.date, past: list[dt.date], feedback: bool, family: DemoAccounts) -> None:
    before = past[max(0, past.index(due) - 1)]
    after = past[min(len(past) - 1, past.index(due) + 2)]
    for number, student in enumerate(students):
        roll = rng.random()
        if roll < 0.08 and student.pk != family.student.pk:
            continue  # not handed in
        late = roll > 0.94 and student.pk != family.student.pk
        day, time = (after, dt.time(7, 50)) if late else (before, dt.time(19, rng.randint(0, 59)))
        text = rng.choice(HANDIN_TEXTS)
        replay.at(day, time, _hand_in_step(replay, key=key, student=student, text=text, number=number))
    if feedback:
        for number, student in enumerate(students):
            if rng.random() < 0.8 or student.pk == family.student.pk:
                replay.at(after, dt.time(16, 0, number), _feedback_step(replay, key=key, course=course,
                                                                         student=student,
                                                                         text=rng.choice(FEEDBACK_TEXTS)))


def _hand_in_step(replay: _Replay, *, key: str, student: User, text: str, number: int) -> Callable[[], None]:
    def run() -> None:
        item = replay.items.get(key)
        if item is None:
            return
        upload = SimpleUploadedFile(f"taak-{student.username}.txt", f"{text}\n".encode(), content_type="text/plain")
        files = [upload] if number % 3 == 0 else []
        with _quiet_refusals("a hand-in"):
            handin.submission_hand_in(school=replay.school, student=student, item=item, text=text, files=files,
                                      roles=STUDENT)
            replay.summary.counts["submissions"] += 1
    return run


def _feedback_step(replay: _Replay, *, key: str, course: Course, student: User, text: str) -> Callable[[], None]:
    def run() -> None:
        item = replay.items.get(key)
        submission = Submission.objects.filter(school=replay.school, item=item, student=student).first()
        if item is None or submission is None or course.teacher is None:
            return
        with _quiet_refusals("feedback"):
            handin.submission_feedback_give(school=replay.school, reviewer=course.teacher, roles=TEACHER,
                                            submission=submission, feedback=text, return_to_student=True)
            replay.summary.counts["feedback"] += 1
    return run


def _entry(rng: random.Random, maximum: int) -> str:
    value = min(maximum, max(0.0, rng.gauss(0.7 * maximum, 0.15 * maximum)))
    halves = round(value * 2) / 2
    return f"{halves:g}".replace(".", ",")


def _scores(replay: _Replay, rng: random.Random, *, key: str, course: Course, students: list[User], day: dt.date,
            past: list[dt.date], publish: bool) -> None:
    """The test's scores entered two days later; published the day after (or left as a draft)."""
    maximum = rng.choice((20, 20, 10, 25))
    entered = past[min(len(past) - 1, past.index(day) + 2)]
    published = past[min(len(past) - 1, past.index(day) + 3)]
    entries = [(s, _entry(rng, maximum)) for s in students]

    def enter() -> None:
        item = replay.items.get(key)
        period = Period.objects.filter(school=replay.school, starts_on__lte=day, ends_on__gte=day).first()
        if item is None or period is None or course.teacher is None:
            return
        with _quiet_refusals("an evaluation"):
            evaluation = results.evaluation_create(
                school=replay.school, actor=course.teacher, course=course, period=period, name=item.title,
                date=day, maximum=Decimal(maximum), planner_item_id=item.pk, roles=TEACHER)
            replay.evaluations[key] = evaluation
            replay.summary.counts["evaluations"] += 1
            for student, entry in entries:
                low = Decimal(entry.replace(",", ".")) < Decimal(maximum) / 2
                results.score_set(school=replay.school, actor=course.teacher, evaluation=evaluation,
                                  student_id=student.pk, entry=entry, comment=SENSITIVE_COMMENT if low else None,
                                  roles=TEACHER)
                replay.summary.counts["scores"] += 1

    def release() -> None:
        evaluation = replay.evaluations.get(key)
        if evaluation is None or course.teacher is None:
            return
        with _quiet_refusals("publishing"):
            results.evaluation_publish(school=replay.school, actor=course.teacher, evaluation=evaluation,
                                       roles=TEACHER)
            replay.summary.counts["published"] += 1

    replay.at(entered, dt.time(16, 45), enter)
    if publish:
        replay.at(published, dt.time(12, 5), release)


# ---------------------------------------------------------------- messages, report cards, an import


def _messages_for_class(replay: _Replay, rng: random.Random, *, group: ClassGroup, students: list[User],
                        past: list[dt.date]) -> None:
    mentor = group.mentor
    if mentor is None or len(past) < 10:
        return
    school = replay.school
    to_parents: dict[str, Message] = {}

    def evening() -> None:
        with _quiet_refusals("a message to the parents"):
            to_parents["m"] = messaging.message_send(
                school=school, sender=mentor, roles=TEACHER, to=[f"parents:{group.pk}"],
                subject=f"Oudercontact {group.name}",
                body=("Beste ouders,\n\nOp donderdag is er oudercontact na het eerste rapport. U kunt een gesprek "
                      "aanvragen via het antwoordstrookje dat uw kind meekrijgt, of door op dit bericht te "
                      f"antwoorden.\n\nMet vriendelijke groeten,\n{mentor.full_name}, klassenleraar {group.name}"),
            )
            replay.summary.counts["messages"] += 1

    # Written at night: the engine holds it until the morning for everyone it reaches.
    replay.at(past[-9], dt.time(21, 15), evening)
    parents = list(User.objects.filter(children_links__school=school, children_links__student__in=students[:6])
                   .distinct().order_by("username")[:4])
    for number, parent in enumerate(parents):
        def answer(parent: User = parent, number: int = number) -> None:
            original = to_parents.get("m")
            if original is None:
                return
            with _quiet_refusals("a parent's reply"):
                messaging.message_reply(school=school, sender=parent, roles=PARENT, message_id=original.pk,
                                        body=PARENT_REPLIES[number % len(PARENT_REPLIES)])
                replay.summary.counts["messages"] += 1
        replay.at(past[-8], dt.time(8 + number * 3, 12), answer)

    def to_class() -> None:
        with _quiet_refusals("a message to the class"):
            messaging.message_send(
                school=school, sender=mentor, roles=TEACHER, to=[f"class:{group.pk}"],
                subject="Uitstap naar het Gravensteen",
                body=("Dag iedereen,\n\nVolgende week gaan we met de klas naar het Gravensteen in Gent. We vertrekken "
                      "om 08:30 aan de schoolpoort en zijn terug rond 15:30. Neem een lunchpakket en een regenjas "
                      "mee.\n\nTot dan!"),
            )
            replay.summary.counts["messages"] += 1

    replay.at(past[-6], dt.time(13, 5), to_class)
    if not students:
        return
    # One student asks their mentor something, and gets an answer.
    asking = students[len(students) // 2]
    question: dict[str, Message] = {}

    def ask() -> None:
        with _quiet_refusals("a student's message"):
            question["m"] = messaging.message_send(
                school=school, sender=asking, roles=STUDENT, to=[f"user:{mentor.pk}"],
                subject="Vraag over de uitstap",
                body="Dag juf/meester, moet ik voor de uitstap ook mijn fiets meenemen? Groetjes")
            replay.summary.counts["messages"] += 1

    def reply() -> None:
        if "m" not in question:
            return
        with _quiet_refusals("the mentor's answer"):
            messaging.message_reply(school=school, sender=mentor, roles=TEACHER, message_id=question["m"].pk,
                                    body="Nee, we gaan met de bus. Een lunchpakket is genoeg!")
            replay.summary.counts["messages"] += 1

    replay.at(past[-5], dt.time(10, 11), ask)
    replay.at(past[-5], dt.time(12, 30), reply)


def _report_card_drafts(replay: _Replay, rng: random.Random, *, group: ClassGroup, courses: list[Course],
                        students: list[User], past: list[dt.date]) -> None:
    """The first trimester's comments being written: drafts, nothing released."""
    if not past or not students:
        return
    school = replay.school
    day = past[-1]

    def write() -> None:
        period = Period.objects.filter(school=school, starts_on__lte=day, ends_on__gte=day).first()
        if period is None:
            return
        for course in courses[:4]:
            if course.teacher is None:
                continue
            comments = {s.pk: rng.choice(COURSE_COMMENTS) for s in students[::2]}
            with _quiet_refusals("report-card comments"):
                replay.summary.counts["card_comments"] += reportcards.course_comments_save(
                    school=school, actor=course.teacher, roles=TEACHER, period=period, course=course,
                    comments=comments)
        if group.mentor is None:
            return
        for student in students[:5]:
            with _quiet_refusals("a mentor's comment"):
                reportcards.card_mentor_update(school=school, actor=group.mentor, roles=TEACHER, period=period,
                                               class_group=group, student_id=student.pk,
                                               mentor_comment=rng.choice(MENTOR_COMMENTS))
                replay.summary.counts["card_comments"] += 1

    replay.at(day, dt.time(17, 30), write)


def _school_messages(replay: _Replay, *, family: DemoAccounts, past: list[dt.date], coming: list[dt.date]) -> None:
    school, admin = replay.school, family.admin
    if len(past) >= 4:
        def staff_meeting() -> None:
            with _quiet_refusals("a message to the teachers"):
                messaging.message_send(
                    school=school, sender=admin, roles=ADMIN, to=["teachers"], subject="Personeelsvergadering",
                    body=("Beste collega's,\n\nDe personeelsvergadering van deze maand gaat door in de refter om "
                          "16:30. Agenda: de rapporten van het eerste trimester en de planning van de examens."),
                )
                replay.summary.counts["messages"] += 1
        replay.at(past[-4], dt.time(9, 40), staff_meeting)
        question: dict[str, Message] = {}

        def ask() -> None:
            with _quiet_refusals("a message to the administrator"):
                question["m"] = messaging.message_send(
                    school=school, sender=family.teacher, roles=TEACHER, to=[f"user:{admin.pk}"],
                    subject="Lokaal voor het oudercontact",
                    body=(f"Dag {admin.first_name}, mag ik voor het oudercontact van donderdag lokaal B1.02 "
                          "gebruiken? Alvast bedankt."))
                replay.summary.counts["messages"] += 1

        replay.at(past[-2], dt.time(12, 40), ask)

    # A message left to go out on the next school day at 07:45, as its teacher scheduled it.
    next_day = next((d for d in coming if clock.aware(d, dt.time(7, 45), replay.tz) > replay.now), None)
    group = Enrollment.objects.filter(school=school, student=family.student).select_related("class_group").first()
    if next_day is None or group is None:
        return
    send_at = clock.aware(next_day, dt.time(7, 45), replay.tz)
    with _quiet_refusals("a scheduled message"):
        messaging.message_send(
            school=school, sender=family.teacher, roles=TEACHER, to=[f"class:{group.class_group_id}"],
            subject="Vergeet je turnzak niet",
            body="Goedemorgen! Vandaag is er sport in de namiddag: vergeet je turnzak niet.",
            send_at=send_at,
        )
        replay.summary.counts["messages"] += 1
        replay.summary.counts["scheduled"] += 1


def _import(replay: _Replay, *, family: DemoAccounts, past: list[dt.date]) -> None:
    """Two student teachers arrive for their internship: the secretariat imports them."""
    if not past:
        return
    school, admin = replay.school, family.admin
    taken = set(User.objects.filter(username__startswith="stagiair.").values_list("username", flat=True))
    rows = [("stagiair.lena", "Lena", "Wouters"), ("stagiair.youssef", "Youssef", "El Amrani")]
    if taken:
        return
    data = "username;first_name;last_name;email\n" + "".join(
        f"{u};{f};{last};{u}@stage.example.org\n" for u, f, last in rows)
    job: dict[str, ImportJob] = {}

    def upload() -> None:
        with _quiet_refusals("an import"):
            job["j"] = imports.import_job_create(
                school=school, user=admin, kind=ImportJob.Kind.TEACHERS, roles=ADMIN, language="nl",
                upload=SimpleUploadedFile("stagiairs.csv", data.encode(), content_type="text/csv"))

    def apply() -> None:
        if "j" not in job:
            return
        with _quiet_refusals("applying an import"):
            imports.import_apply_start(school=school, actor=admin, job_id=job["j"].pk, roles=ADMIN)
            replay.summary.counts["imports"] += 1

    day = past[max(0, len(past) - 12)]
    replay.at(day, dt.time(9, 5), upload)
    replay.at(day, dt.time(9, 7), apply)


def _seen_by_the_family(*, school: School, family: DemoAccounts) -> None:
    """The family's older feedback was read already; the newest returned feedback still shows as new."""
    returned = list(Submission.objects.filter(school=school, student=family.student, returned_at__isnull=False)
                    .order_by("-returned_at"))
    for submission in returned[1:]:
        handin.submission_feedback_seen(school=school, student=family.student, submission=submission)
