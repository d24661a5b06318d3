"""Checking rows against the school and planning the changes, without touching the database.

selectors.existing_state() loads what the plan needs in a few queries; build_plan() is then pure, so the
same code gives the preview and, inside the apply transaction, the changes that are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from krijt.accounts.models import normalize_username, username_validator
from krijt.core.roles import Role
from krijt.imports.parsing import REQUIRED, Kind, Row, RowError, Table, parse_date, shown

NAME_MAX = 100
EMAIL_MAX = 254
SAMPLE_SIZE = 50
MAX_PARENTS = 2

ROLE_OF_KIND = {Kind.STUDENTS: Role.STUDENT, Kind.PARENTS: Role.PARENT, Kind.TEACHERS: Role.TEACHER}


@dataclass(frozen=True)
class ExistingUser:
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    birth_date: dt.date | None
    roles_here: frozenset[str]  # memberships in this school, plus "parent" when linked to a child here
    elsewhere: bool  # any membership or parent link in another school


@dataclass
class Existing:
    users: dict[str, ExistingUser] = field(default_factory=dict)
    school_year_id: int | None = None
    school_year_name: str = ""
    classes: dict[str, tuple[int, str]] = field(default_factory=dict)  # lower-case name -> (id, name)
    enrollments: dict[int, tuple[int, int]] = field(default_factory=dict)  # student id -> (enrollment id, class id)
    class_names: dict[int, str] = field(default_factory=dict)
    students: dict[str, int] = field(default_factory=dict)  # user name -> id, students of this school
    links: dict[int, set[int]] = field(default_factory=dict)  # student id -> parent ids in this school
    today: dt.date = dt.date.max  # in the school's time zone; no birth date after it


@dataclass
class Change:
    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _json(self.old), "new": _json(self.new)}


@dataclass
class PersonPlan:
    row: int
    username: str
    first_name: str
    last_name: str
    email: str
    birth_date: dt.date | None = None
    class_id: int | None = None
    class_name: str = ""
    existing: ExistingUser | None = None
    changes: list[Change] = field(default_factory=list)
    new_children: list[tuple[int, int, str]] = field(default_factory=list)  # (row, student id, student name)

    @property
    def action(self) -> str:
        if self.existing is None:
            return "create"
        return "update" if self.changes or self.new_children else "unchanged"

    @property
    def user_changes(self) -> list[Change]:
        return [c for c in self.changes if c.field in {"first_name", "last_name", "email", "birth_date"}]


@dataclass
class Plan:
    kind: str
    people: list[PersonPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for p in self.people if p.action == action)

    @property
    def links_total(self) -> int:
        return sum(len(p.new_children) for p in self.people)

    def summary(self) -> dict[str, Any]:
        sample: list[dict[str, Any]] = []
        for person in self.people:
            if person.action == "unchanged":
                continue
            if len(sample) >= SAMPLE_SIZE:
                break
            changes = [c.as_dict() for c in person.changes]
            if person.action == "create":
                # What a new account starts with, beyond its name.
                if person.class_name:
                    changes.append({"field": "class", "old": "", "new": person.class_name})
                if person.email:
                    changes.append({"field": "email", "old": "", "new": person.email})
            changes += [{"field": "child", "old": "", "new": name} for _r, _s, name in person.new_children]
            sample.append({"row": person.row, "username": person.username, "action": person.action,
                           "name": f"{person.first_name} {person.last_name}".strip(), "changes": changes})
        return {"create": self.count("create"), "update": self.count("update"),
                "unchanged": self.count("unchanged"), "links": self.links_total, "sample": sample}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _role_label(role: str) -> str:
    return str(Role(role).label).lower()


Progress = Callable[[int], None]


def build_plan(*, kind: str, table: Table, existing: Existing, progress: Progress | None = None,
               every: int = 100) -> Plan:
    """Every row checked against the file and the school; the people to create or update."""
    plan = Plan(kind=kind)
    columns = table.columns
    role = ROLE_OF_KIND[kind]
    seen: dict[str, PersonPlan] = {}
    first_row: dict[str, int] = {}
    pairs: dict[tuple[str, int], int] = {}  # (parent, student id) -> first row
    link_rows: list[tuple[PersonPlan, Row, int, str]] = []
    if kind == Kind.STUDENTS and existing.school_year_id is None:
        plan.errors.append(RowError(1, columns.get("class", "class"), _(
            "This school has no school year yet. Add one, with its classes, before importing students."
        )))
        return plan

    for done, row in enumerate(table.rows, start=1):
        if progress is not None and done % every == 0:
            progress(done)
        errors: list[RowError] = []

        def err(name: str, message: str, row: Row = row, errors: list[RowError] = errors) -> None:
            errors.append(RowError(row.number, columns.get(name, name), message))

        values = row.values
        for name in REQUIRED[kind]:
            if values.get(name) is None:
                err(name, _('This cell is empty, but "%(column)s" is required.') % {"column": columns.get(name, name)})

        username = normalize_username(str(values.get("username") or ""))
        if username:
            try:
                username_validator(username)
            except DjangoValidationError as exc:
                err("username", _('"%(u)s" is not a valid user name. %(why)s') % {"u": shown(username),
                                                                                   "why": " ".join(exc.messages)})
                username = ""
        texts: dict[str, str] = {}
        for name in ("first_name", "last_name"):
            text = str(values.get(name) or "")
            if len(text) > NAME_MAX:
                err(name, _("This value is longer than %(n)d characters.") % {"n": NAME_MAX})
            texts[name] = text
        email = str(values.get("email") or "").strip()
        if email:
            try:
                if len(email) > EMAIL_MAX:
                    raise DjangoValidationError("too long")
                validate_email(email)
            except DjangoValidationError:
                err("email", _('"%(v)s" is not a valid e-mail address.') % {"v": shown(email)})

        birth_date = None
        if kind == Kind.STUDENTS and values.get("birth_date") is not None:
            raw = values["birth_date"]
            birth_date = parse_date(raw)
            if birth_date is None:
                err("birth_date", _('"%(v)s" is not a valid date. Write it as YYYY-MM-DD or DD/MM/YYYY.') % {
                    "v": shown(raw)})
            elif not dt.date(1900, 1, 1) <= birth_date <= existing.today:
                err("birth_date", _('"%(v)s" is not a possible birth date.') % {"v": _json(raw)})
                birth_date = None

        class_id = None
        class_name = ""
        if kind == Kind.STUDENTS and values.get("class") is not None:
            found = existing.classes.get(str(values["class"]).strip().lower())
            if found is None:
                err("class", _('There is no class "%(c)s" in school year %(y)s.') % {
                    "c": shown(values["class"]), "y": existing.school_year_name})
            else:
                class_id, class_name = found

        student_id = None
        student_name = ""
        if kind == Kind.PARENTS and values.get("student_username") is not None:
            student_name = normalize_username(str(values["student_username"]))
            student_id = existing.students.get(student_name)
            if student_id is None:
                err("student_username", _('There is no student with the user name "%(u)s" in this school.') % {
                    "u": shown(student_name)})

        current = existing.users.get(username) if username else None
        if current is not None:
            if current.elsewhere:
                err("username", _('The user name "%(u)s" belongs to an account of another school. '
                                  "Choose another user name.") % {"u": username})
            elif role not in current.roles_here:
                others = ", ".join(sorted(_role_label(r) for r in current.roles_here))
                if others:
                    err("username", _('The user name "%(u)s" belongs to an existing account with another role '
                                      "in this school (%(roles)s). Choose another user name.") % {
                        "u": username, "roles": others})
                else:
                    err("username", _('The user name "%(u)s" belongs to an existing account outside this school. '
                                      "Choose another user name.") % {"u": username})

        if username and username in first_row:
            earlier = seen.get(username)
            if kind != Kind.PARENTS:
                err("username", _('The user name "%(u)s" appears more than once: rows %(a)d and %(b)d.') % {
                    "u": username, "a": first_row[username], "b": row.number})
            elif earlier is not None and (earlier.first_name, earlier.last_name, earlier.email) != (
                    texts["first_name"], texts["last_name"], email):
                err("username", _('The parent "%(u)s" has other details here than on row %(a)d '
                                  "(first name, last name or e-mail).") % {"u": username, "a": first_row[username]})
            elif student_id is not None and (username, student_id) in pairs:
                err("student_username", _('The parent "%(u)s" is linked to "%(s)s" twice: rows %(a)d and %(b)d.') % {
                    "u": username, "s": student_name, "a": pairs[(username, student_id)], "b": row.number})

        if username and username not in first_row:
            first_row[username] = row.number
        if errors:
            plan.errors.extend(errors)
            continue

        person = seen.get(username)
        if person is None:
            person = PersonPlan(row=row.number, username=username, first_name=texts["first_name"],
                                last_name=texts["last_name"], email=email, birth_date=birth_date,
                                class_id=class_id, class_name=class_name, existing=current)
            _diff(person, existing)
            seen[username] = person
            plan.people.append(person)
        if kind == Kind.PARENTS and student_id is not None:
            pairs[(username, student_id)] = row.number
            link_rows.append((person, row, student_id, student_name))

    if kind == Kind.PARENTS:
        _plan_links(plan, existing, link_rows, columns)
    plan.errors.sort(key=lambda e: e.row)
    if progress is not None:
        progress(len(table.rows))
    return plan


def _diff(person: PersonPlan, existing: Existing) -> None:
    current = person.existing
    if current is None:
        return
    for name in ("first_name", "last_name"):
        if getattr(person, name) != getattr(current, name):
            person.changes.append(Change(name, getattr(current, name), getattr(person, name)))
    # An empty optional cell keeps what the account has: exports often lack e-mail addresses people set later.
    if person.email and person.email != current.email:
        person.changes.append(Change("email", current.email, person.email))
    if person.birth_date is not None and person.birth_date != current.birth_date:
        person.changes.append(Change("birth_date", current.birth_date, person.birth_date))
    if person.class_id is not None:
        enrolled = existing.enrollments.get(current.id)
        if enrolled is None or enrolled[1] != person.class_id:
            old = existing.class_names.get(enrolled[1], "") if enrolled else ""
            person.changes.append(Change("class", old, existing.class_names.get(person.class_id, "")))


def _plan_links(plan: Plan, existing: Existing, link_rows: list[tuple[PersonPlan, Row, int, str]],
                columns: dict[str, str]) -> None:
    """New parent links, at most two parents per student counting those already linked."""
    parents_of: dict[int, set[Any]] = {sid: set(ids) for sid, ids in existing.links.items()}
    for person, row, student_id, student_name in link_rows:
        linked = parents_of.setdefault(student_id, set())
        key: Any = person.existing.id if person.existing is not None else ("new", person.username)
        if key in linked:
            continue
        if len(linked) >= MAX_PARENTS:
            plan.errors.append(RowError(row.number, columns.get("student_username", "student_username"), _(
                'The student "%(s)s" would get more than two parents. A student has at most two parent accounts.'
            ) % {"s": student_name}))
            continue
        linked.add(key)
        person.new_children.append((row.number, student_id, student_name))
