"""Plans a whole secondary school in memory: people, families, classes, courses and a weekly timetable.

Pure and deterministic (a seeded random generator, no I/O): the same spec gives the same school, so the
demo always shows the same people. krijt.demo.services writes a plan to the database in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from krijt.core.roles import Role
from krijt.demo import names
from krijt.demo.holidays import SchoolYearPlan, flemish_school_year

# ---------------------------------------------------------------- the school day

# 08:25 start, 50-minute lessons, a morning break, lunch and an afternoon break.
LESSON_TIMES: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 25), dt.time(9, 15)),
    (dt.time(9, 15), dt.time(10, 5)),
    (dt.time(10, 20), dt.time(11, 10)),
    (dt.time(11, 10), dt.time(12, 0)),
    (dt.time(12, 50), dt.time(13, 40)),
    (dt.time(13, 40), dt.time(14, 30)),
    (dt.time(14, 45), dt.time(15, 35)),
    (dt.time(15, 35), dt.time(16, 25)),
)
WEDNESDAY = 3
WEDNESDAY_PERIODS = 4  # Wednesday afternoon is free
CORE_PERIODS = 7  # every class has lessons 1-7 (Wednesday 1-4); 32 hours a week
CORE_HOURS = 4 * CORE_PERIODS + WEDNESDAY_PERIODS
# Hours above the core week go in the eighth period, on these days in this order.
EIGHTH_PERIOD_DAYS = (1, 4, 2, 5)
MAX_LESSONS_PER_COURSE_PER_DAY = 2

# ---------------------------------------------------------------- courses

# code: (name, teacher group). A teacher group is the set of courses one subject teacher can give.
SUBJECTS: dict[str, tuple[str, str]] = {
    "NED": ("Nederlands", "NED"),
    "FRA": ("Frans", "FRA"),
    "ENG": ("Engels", "ENG"),
    "DUI": ("Duits", "ENG"),
    "WIS": ("Wiskunde", "WIS"),
    "WIV": ("Wiskunde-verdieping", "WIS"),
    "INF": ("Informatica", "INF"),
    "GES": ("Geschiedenis", "GES"),
    "AAR": ("Aardrijkskunde", "AAR"),
    "NWE": ("Natuurwetenschappen", "WET"),
    "BIO": ("Biologie", "WET"),
    "FYS": ("Fysica", "WET"),
    "CHE": ("Chemie", "WET"),
    "LAB": ("Labo wetenschappen", "WET"),
    "ONW": ("Onderzoekscompetenties", "WET"),
    "ONE": ("Onderzoekscompetenties", "ECO"),
    "GOD": ("Godsdienst", "GOD"),
    "FIL": ("Filosofie", "GOD"),
    "LO": ("Lichamelijke opvoeding", "LO"),
    "LAT": ("Latijn", "LAT"),
    "ECO": ("Economie", "ECO"),
    "STM": ("STEM", "TEC"),
    "TEC": ("Techniek", "TEC"),
    "MUZ": ("Muzikale opvoeding", "KUN"),
    "BEE": ("Beeldende vorming", "KUN"),
}

_FIRST_GRADE = {"NED": 5, "FRA": 3, "ENG": 2, "WIS": 4, "GES": 1, "AAR": 1, "NWE": 2, "TEC": 2, "GOD": 2, "LO": 2,
                "MUZ": 1, "BEE": 1, "INF": 1}
_MIDDLE = {"NED": 4, "FRA": 4, "ENG": 3, "WIS": 5, "GES": 2, "AAR": 1, "BIO": 1, "FYS": 1, "CHE": 1, "GOD": 2,
           "LO": 2, "INF": 1}
_UPPER = {"NED": 4, "FRA": 3, "ENG": 3, "WIS": 4, "GES": 2, "AAR": 1, "BIO": 1, "FYS": 1, "CHE": 1, "GOD": 2,
          "LO": 2, "FIL": 1}

# grade: (base hours, {stream: extra hours}). The first half of a grade's classes follows the first stream.
CURRICULUM: dict[int, tuple[dict[str, int], dict[str, dict[str, int]]]] = {
    1: (_FIRST_GRADE, {"Latijn": {"LAT": 5}, "Moderne": {"STM": 3, "ECO": 2}}),
    2: ({**_FIRST_GRADE, "NED": 4, "ENG": 3}, {"Latijn": {"LAT": 5}, "Moderne": {"STM": 3, "ECO": 2}}),
    3: (_MIDDLE, {"Economie": {"ECO": 4, "DUI": 1}, "Wetenschappen": {"LAB": 2, "WIV": 2, "ONW": 1}}),
    4: (_MIDDLE, {"Economie": {"ECO": 4, "DUI": 1}, "Wetenschappen": {"LAB": 2, "WIV": 2, "ONW": 1}}),
    5: (_UPPER, {"Economie": {"ECO": 5, "DUI": 2, "ONE": 1}, "Wetenschappen": {"WIV": 3, "LAB": 2, "INF": 2,
                                                                               "ONW": 1}}),
    6: ({**_UPPER, "FRA": 4}, {"Economie": {"ECO": 5, "DUI": 2, "ONE": 1},
                               "Wetenschappen": {"WIV": 3, "LAB": 2, "INF": 2, "ONW": 1}}),
}
GRADES = tuple(sorted(CURRICULUM))
TARGET_TEACHER_HOURS = 13  # about 60 teachers for 24 classes: full- and part-time posts together
MAX_TEACHER_HOURS = 22  # a full-time post in Flemish secondary education


def curriculum(grade: int, stream: str) -> dict[str, int]:
    base, streams = CURRICULUM[grade]
    return {**base, **streams[stream]}


def streams_of(grade: int) -> list[str]:
    return list(CURRICULUM[grade][1])


# ---------------------------------------------------------------- plan types


@dataclass(frozen=True)
class SchoolSpec:
    slug: str
    name: str
    start_year: int
    students: int = 600
    parents: int = 900
    teachers: int | None = None  # None: as many as the timetable's hours need
    classes_per_grade: int = 4
    username_prefix: str = ""
    seed: str = ""

    @property
    def email_domain(self) -> str:
        return f"{self.slug}.school.example"


@dataclass
class PersonPlan:
    role: str
    first_name: str
    last_name: str
    username: str = ""
    email: str = ""
    birth_date: dt.date | None = None
    title: str = ""


@dataclass
class ClassPlan:
    name: str
    grade: int
    stream: str
    room: str
    students: list[int] = field(default_factory=list)
    mentor: int | None = None


@dataclass
class CoursePlan:
    class_index: int
    code: str
    name: str
    hours: int
    teacher: int = -1

    @property
    def group(self) -> str:
        return SUBJECTS[self.code][1]


@dataclass(frozen=True)
class SlotPlan:
    course: int
    weekday: int
    period: int
    room: str


@dataclass
class SchoolPlan:
    spec: SchoolSpec
    year: SchoolYearPlan
    people: list[PersonPlan]
    classes: list[ClassPlan]
    courses: list[CoursePlan]
    slots: list[SlotPlan]
    parent_links: list[tuple[int, int]]  # (parent, student) person indexes

    def indexes(self, role: str) -> list[int]:
        return [i for i, p in enumerate(self.people) if p.role == role]


class TimetableError(RuntimeError):
    pass


# ---------------------------------------------------------------- names


def _ascii_slug(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9-]", "", value.replace(" ", ""))


class UsernameBook:
    """first.last, numbered on a clash, unique across the install (taken: names already in the database)."""

    def __init__(self, prefix: str, taken: Iterable[str] = ()) -> None:
        self.prefix = prefix
        self.taken = set(taken)

    def claim(self, first: str, last: str) -> str:
        base = f"{self.prefix}{_ascii_slug(first)}.{_ascii_slug(last)}"[:60]
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}{n}"
        self.taken.add(candidate)
        return candidate


def _random_day(rng: random.Random, year: int, *, until: dt.date | None = None) -> dt.date:
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), until) if until else dt.date(year, 12, 31)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


# ---------------------------------------------------------------- building the plan


def plan_school(spec: SchoolSpec, *, taken_usernames: Iterable[str] = ()) -> SchoolPlan:
    rng = random.Random(f"krijt:{spec.seed or spec.slug}")  # noqa: S311 - made-up people, not secrets
    year = flemish_school_year(spec.start_year)
    people: list[PersonPlan] = []
    classes = _plan_classes(spec)
    courses = _plan_courses(classes)
    teacher_count = spec.teachers or max(len(GRADES), round(sum(c.hours for c in courses) / TARGET_TEACHER_HOURS))
    teachers = _plan_teachers(rng, spec, teacher_count, people)
    _assign_teachers(courses, teachers)
    _assign_mentors(classes, courses)
    _plan_staff(rng, spec, people)
    links = _plan_students_and_families(rng, spec, classes, people)
    slots = plan_timetable(classes, courses, seed=f"{spec.seed or spec.slug}:timetable")
    book = UsernameBook(spec.username_prefix, taken_usernames)
    for person in people:
        person.username = book.claim(person.first_name, person.last_name)
        local = person.username.removeprefix(spec.username_prefix)
        if person.role == Role.PARENT:
            person.email = f"{local}@mail.example"
        elif person.role == Role.STUDENT:
            person.email = f"{local}@leerling.{spec.email_domain}"
        else:
            person.email = f"{local}@{spec.email_domain}"
    return SchoolPlan(spec=spec, year=year, people=people, classes=classes, courses=courses, slots=slots,
                      parent_links=links)


def _plan_classes(spec: SchoolSpec) -> list[ClassPlan]:
    letters = string.ascii_uppercase[: spec.classes_per_grade]
    classes = []
    for grade in GRADES:
        streams = streams_of(grade)
        for i, letter in enumerate(letters):
            stream = streams[min(i * len(streams) // len(letters), len(streams) - 1)]
            building = "ABC"[(grade - 1) // 2]
            classes.append(ClassPlan(name=f"{grade}{letter}", grade=grade, stream=stream,
                                     room=f"{building}{grade}.{i + 1:02d}"))
    return classes


def _plan_courses(classes: list[ClassPlan]) -> list[CoursePlan]:
    courses = []
    for index, group in enumerate(classes):
        for code, hours in curriculum(group.grade, group.stream).items():
            courses.append(CoursePlan(class_index=index, code=code, name=SUBJECTS[code][0], hours=hours))
    return courses


def _plan_teachers(rng: random.Random, spec: SchoolSpec, count: int, people: list[PersonPlan]) -> list[int]:
    indexes = []
    for _ in range(count):
        young = rng.random() < 0.3
        woman = rng.random() < 0.62  # most secondary teachers in Flanders are women
        pool = (names.YOUNG_WOMEN if young else names.WOMEN) if woman else (names.YOUNG_MEN if young else names.MEN)
        born = rng.randint(1990, 2001) if young else rng.randint(1963, 1989)
        people.append(PersonPlan(role=Role.TEACHER, first_name=rng.choice(pool),
                                 last_name=rng.choice(names.LAST_NAMES), birth_date=_random_day(rng, born),
                                 title="Leerkracht"))
        indexes.append(len(people) - 1)
    return indexes


def _assign_teachers(courses: list[CoursePlan], teachers: list[int]) -> None:
    """Teachers per subject group in proportion to its hours; inside a group the least-loaded teacher
    takes the next course (largest first), so loads stay even and under a full-time post."""
    hours_by_group: dict[str, int] = defaultdict(int)
    courses_by_group: dict[str, list[int]] = defaultdict(list)
    for i, course in enumerate(courses):
        hours_by_group[course.group] += course.hours
        courses_by_group[course.group].append(i)
    groups = sorted(hours_by_group)
    total = sum(hours_by_group.values())
    if len(teachers) < len(groups):
        raise ValueError(f"A school needs at least {len(groups)} teachers, one per subject group.")
    share = {g: hours_by_group[g] * len(teachers) / total for g in groups}
    count = {g: min(len(courses_by_group[g]), max(1, -(-hours_by_group[g] // MAX_TEACHER_HOURS), round(share[g])))
             for g in groups}
    while sum(count.values()) > len(teachers):
        g = max((g for g in groups if count[g] > 1), key=lambda g: (count[g] - share[g], g))
        count[g] -= 1
    while sum(count.values()) < len(teachers):
        open_groups = [g for g in groups if count[g] < len(courses_by_group[g])]
        if not open_groups:
            break
        g = max(open_groups, key=lambda g: (share[g] - count[g], g))
        count[g] += 1
    pool = iter(teachers)
    for g in groups:
        members = [next(pool) for _ in range(count[g])]
        load = dict.fromkeys(members, 0)
        for i in sorted(courses_by_group[g], key=lambda i: (-courses[i].hours, i)):
            teacher = min(members, key=lambda t: (load[t], t))
            courses[i].teacher = teacher
            load[teacher] += courses[i].hours


def _assign_mentors(classes: list[ClassPlan], courses: list[CoursePlan]) -> None:
    """Each class's mentor teaches it the most hours; nobody mentors two classes."""
    hours: dict[tuple[int, int], int] = defaultdict(int)
    for course in courses:
        hours[(course.class_index, course.teacher)] += course.hours
    taken: set[int] = set()
    for index, group in enumerate(classes):
        options = sorted((t for (c, t) in hours if c == index and t not in taken),
                         key=lambda t: (-hours[(index, t)], t))
        if options:
            group.mentor = options[0]
            taken.add(options[0])


def _plan_staff(rng: random.Random, spec: SchoolSpec, people: list[PersonPlan]) -> None:
    for role, title in (
        (Role.STAFF, "Zorgcoördinator"),
        (Role.STAFF, "Leerlingenbegeleider"),
        (Role.STAFF, "Secretariaat"),
        (Role.ADMIN, "Directeur"),
        (Role.ADMIN, "ICT-coördinator"),
    ):
        woman = rng.random() < 0.6
        people.append(PersonPlan(role=role, first_name=rng.choice(names.WOMEN if woman else names.MEN),
                                 last_name=rng.choice(names.LAST_NAMES),
                                 birth_date=_random_day(rng, rng.randint(1965, 1988)), title=title))


@dataclass
class _Family:
    last_name: str
    children: list[int] = field(default_factory=list)
    grades: set[int] = field(default_factory=set)


def _plan_students_and_families(rng: random.Random, spec: SchoolSpec, classes: list[ClassPlan],
                                people: list[PersonPlan]) -> list[tuple[int, int]]:
    # Seats: the students spread evenly over the classes.
    seats: list[int] = []
    for i in range(len(classes)):
        seats += [i] * (spec.students // len(classes) + (i < spec.students % len(classes)))
    rng.shuffle(seats)
    families: list[_Family] = []
    # Brothers and sisters: about one student in seven has one at the school, never in the same grade.
    for seat in seats:
        grade = classes[seat].grade
        family = None
        if families and rng.random() < 0.14:
            for candidate in rng.sample(families, min(6, len(families))):
                if len(candidate.children) < 3 and grade not in candidate.grades:
                    family = candidate
                    break
        if family is None:
            family = _Family(last_name=rng.choice(names.LAST_NAMES))
            families.append(family)
        family.children.append(seat)  # a seat for now; replaced by the person index below
        family.grades.add(grade)
    links: list[tuple[int, int]] = []
    parents_without_account = round(len(families) * 0.02) if spec.parents < 2 * len(families) else 0
    with_parents = len(families) - parents_without_account
    two_parents = max(0, min(with_parents, spec.parents - with_parents))
    one_parent = max(0, min(with_parents - two_parents, spec.parents - 2 * two_parents))
    order = list(range(len(families)))
    rng.shuffle(order)
    parent_count = dict.fromkeys(order[:two_parents], 2)
    parent_count.update(dict.fromkeys(order[two_parents:two_parents + one_parent], 1))
    for f, family in enumerate(families):
        student_indexes = []
        oldest: dt.date | None = None
        for seat in family.children:
            group = classes[seat]
            born = spec.start_year - 11 - group.grade
            # One in ten repeated a year; every sixth-year class has at least one such adult student.
            repeated = rng.random() < 0.1 or (group.grade == GRADES[-1] and not any(
                (people[s].birth_date or dt.date.max).year < born for s in group.students))
            birth_year = born - 1 if repeated else born
            until = dt.date(birth_year, 8, 31) if repeated and group.grade == GRADES[-1] else None
            birth = _random_day(rng, birth_year, until=until)
            oldest = birth if oldest is None or birth < oldest else oldest
            woman = rng.random() < 0.5
            people.append(PersonPlan(role=Role.STUDENT, first_name=rng.choice(names.GIRLS if woman else names.BOYS),
                                     last_name=family.last_name, birth_date=birth, title=f"Leerling {group.name}"))
            group.students.append(len(people) - 1)
            student_indexes.append(len(people) - 1)
        assert oldest is not None
        for p in range(parent_count.get(f, 0)):
            parent = _plan_parent(rng, family, oldest, second=p == 1, people=people)
            links += [(parent, s) for s in student_indexes]
    return links


def _plan_parent(rng: random.Random, family: _Family, oldest_child: dt.date, *, second: bool,
                 people: list[PersonPlan]) -> int:
    if not second:
        # The family name is usually the father's; about one family in four is a mother on her own.
        woman = rng.random() < 0.25
        last = family.last_name if not woman or rng.random() < 0.3 else rng.choice(names.LAST_NAMES)
    else:
        previous = people[-1]
        woman = previous.first_name not in names.WOMEN if rng.random() < 0.95 else previous.first_name in names.WOMEN
        last = rng.choice(names.LAST_NAMES) if rng.random() < 0.85 else family.last_name
    born = oldest_child.year - rng.randint(24, 40)
    people.append(PersonPlan(role=Role.PARENT, first_name=rng.choice(names.WOMEN if woman else names.MEN),
                             last_name=last, birth_date=_random_day(rng, born), title="Ouder"))
    return len(people) - 1


# ---------------------------------------------------------------- the timetable


def class_slots(hours: int) -> list[tuple[int, int]]:
    """The (weekday, period) pairs a class with `hours` lessons a week fills, without gaps in a day."""
    if hours < CORE_HOURS or hours > CORE_HOURS + len(EIGHTH_PERIOD_DAYS):
        raise TimetableError(f"A class week has {CORE_HOURS} to {CORE_HOURS + len(EIGHTH_PERIOD_DAYS)} hours, "
                             f"not {hours}.")
    slots = [(day, period) for day in range(1, 6)
             for period in range(1, (WEDNESDAY_PERIODS if day == WEDNESDAY else CORE_PERIODS) + 1)]
    slots += [(day, CORE_PERIODS + 1) for day in EIGHTH_PERIOD_DAYS[: hours - CORE_HOURS]]
    return sorted(slots)


def plan_timetable(classes: list[ClassPlan], courses: list[CoursePlan], *, seed: str,
                   attempts: int = 300) -> list[SlotPlan]:
    """Places every course's hours so that each class's week is full and no teacher is in two places.

    Slot by slot, each class that has a lesson then is matched to one of its remaining courses with
    distinct teachers (augmenting paths), preferring teachers who are running out of chances to give
    their remaining lessons. A dead end restarts with another random order; it rarely takes more than
    a few attempts.
    """
    for attempt in range(attempts):
        result = _try_timetable(classes, courses, random.Random(f"{seed}:{attempt}"))  # noqa: S311
        if result is not None:
            return result
    raise TimetableError(f"No timetable found in {attempts} attempts.")


def _try_timetable(classes: list[ClassPlan], courses: list[CoursePlan], rng: random.Random) -> list[SlotPlan] | None:
    hours_by_class = [0] * len(classes)
    courses_by_class: list[list[int]] = [[] for _ in classes]
    for i, course in enumerate(courses):
        hours_by_class[course.class_index] += course.hours
        courses_by_class[course.class_index].append(i)
    needs = [set(class_slots(h)) for h in hours_by_class]
    all_slots = sorted(set().union(*needs))
    classes_at = {slot: [c for c in range(len(classes)) if slot in needs[c]] for slot in all_slots}
    # How many slots remain, from each position on, in which a teacher could still teach.
    teacher_classes: dict[int, set[int]] = defaultdict(set)
    teacher_left: dict[int, int] = defaultdict(int)
    for course in courses:
        teacher_classes[course.teacher].add(course.class_index)
        teacher_left[course.teacher] += course.hours
    chances: dict[int, list[int]] = {}
    for t, own in teacher_classes.items():
        counts, running = [0] * (len(all_slots) + 1), 0
        for pos in range(len(all_slots) - 1, -1, -1):
            running += any(c in own for c in classes_at[all_slots[pos]])
            counts[pos] = running
        chances[t] = counts
    left = [c.hours for c in courses]
    today: dict[tuple[int, int], int] = defaultdict(int)  # (course, weekday) -> lessons
    placed: list[SlotPlan] = []
    for pos, (day, period) in enumerate(all_slots):
        pressure = {t: teacher_left[t] / max(1, chances[t][pos]) for t in teacher_classes}
        candidates: dict[int, list[int]] = {}
        for c in classes_at[(day, period)]:
            options = [i for i in courses_by_class[c] if left[i] and today[(i, day)] < MAX_LESSONS_PER_COURSE_PER_DAY]
            rng.shuffle(options)
            options.sort(key=lambda i: (today[(i, day)], -pressure[courses[i].teacher], -left[i]))
            candidates[c] = options
        owner: dict[int, tuple[int, int]] = {}  # teacher -> (class, course)

        def assign(c: int, seen: set[int], candidates: dict[int, list[int]] = candidates,
                   owner: dict[int, tuple[int, int]] = owner) -> bool:
            for i in candidates[c]:
                t = courses[i].teacher
                if t in seen:
                    continue
                seen.add(t)
                if t not in owner or assign(owner[t][0], seen):
                    owner[t] = (c, i)
                    return True
            return False

        for c in sorted(candidates, key=lambda c: (len(candidates[c]), c)):
            if not assign(c, set()):
                return None
        for t, (c, i) in owner.items():
            left[i] -= 1
            teacher_left[t] -= 1
            today[(i, day)] += 1
            room = "Sporthal" if courses[i].code == "LO" else classes[c].room
            placed.append(SlotPlan(course=i, weekday=day, period=period, room=room))
    return placed
