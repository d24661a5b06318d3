"""Reads for imports: jobs, their live progress, and what the school already holds for a file's rows."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Func, IntegerField, QuerySet

from krijt.accounts.models import Membership, ParentLink, User, normalize_username
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.imports.models import ImportJob
from krijt.imports.parsing import Kind, Table
from krijt.imports.planning import Existing, ExistingUser
from krijt.schools.models import ClassGroup, Enrollment, School
from krijt.schools.selectors import current_school_year

PROGRESS_SECONDS = 60 * 60


def progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


class JSONArrayLength(Func):
    """The length of a JSON array column, on PostgreSQL and on the SQLite demo alike."""

    function = "jsonb_array_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="json_array_length", **extra)


def job_list(*, school: School) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(school=school)
        .select_related("created_by")
        .defer("errors", "summary")
        # The list says whether a preview found problems without loading every job's error list.
        .annotate(error_count=JSONArrayLength("errors"))
        .order_by("-created_at", "-pk")
    )


def job_for_admin(*, school: School, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(school=school, pk=job_id).select_related("created_by").first()
    if job is None:
        raise NotFound()
    return job


def job_progress(*, job: ImportJob) -> tuple[int, int]:
    """(rows done, rows total). While the apply transaction runs, its progress lives in the cache only."""
    done = job.rows_done
    if job.is_running:
        try:
            cached = cache.get(progress_key(job.pk))
        except Exception:
            cached = None
        if cached is not None:
            done = int(cached)
    total = job.rows_total
    return min(done, total) if total else done, total


def existing_state(*, school: School, kind: str, table: Table) -> Existing:
    """Everything the plan compares against, in a handful of queries whatever the number of rows."""
    state = Existing(today=clock.local_today(school.time_zone))
    usernames = {normalize_username(str(r.values["username"])) for r in table.rows if r.values.get("username")}
    users = list(
        User.objects.filter(username__in=usernames).values(
            "id", "username", "first_name", "last_name", "email", "birth_date"
        )
    )
    ids = [u["id"] for u in users]
    roles: dict[int, set[str]] = {i: set() for i in ids}
    elsewhere: set[int] = set()
    for user_id, school_id, role in Membership.objects.filter(user_id__in=ids).values_list(
        "user_id", "school_id", "role"
    ):
        if school_id == school.pk:
            roles[user_id].add(role)
        else:
            elsewhere.add(user_id)
    for user_id, school_id in ParentLink.objects.filter(parent_id__in=ids).values_list("parent_id", "school_id"):
        if school_id == school.pk:
            roles[user_id].add(Role.PARENT)
        else:
            elsewhere.add(user_id)
    state.users = {
        u["username"]: ExistingUser(
            id=u["id"], username=u["username"], first_name=u["first_name"], last_name=u["last_name"],
            email=u["email"], birth_date=u["birth_date"], roles_here=frozenset(roles[u["id"]]),
            elsewhere=u["id"] in elsewhere,
        )
        for u in users
    }
    if kind == Kind.STUDENTS:
        _load_classes(state, school=school, ids=ids)
    if kind == Kind.PARENTS:
        _load_students(state, school=school, table=table)
    return state


def _load_classes(state: Existing, *, school: School, ids: list[int]) -> None:
    year = current_school_year(school=school)
    if year is None:
        return
    state.school_year_id = year.pk
    state.school_year_name = year.name
    for class_id, name in ClassGroup.objects.filter(school=school, school_year=year).values_list("id", "name"):
        state.classes[name.strip().lower()] = (class_id, name)
        state.class_names[class_id] = name
    state.enrollments = {
        student_id: (enrollment_id, class_id)
        for enrollment_id, student_id, class_id in Enrollment.objects.filter(
            school=school, school_year=year, student_id__in=ids
        ).values_list("id", "student_id", "class_group_id")
    }


def _load_students(state: Existing, *, school: School, table: Table) -> None:
    names = {
        normalize_username(str(r.values["student_username"]))
        for r in table.rows
        if r.values.get("student_username")
    }
    state.students = dict(
        User.objects.filter(username__in=names, memberships__school=school, memberships__role=Role.STUDENT)
        .values_list("username", "id")
        .distinct()
    )
    links: dict[int, set[int]] = {}
    for student_id, parent_id in ParentLink.objects.filter(
        school=school, student_id__in=list(state.students.values())
    ).values_list("student_id", "parent_id"):
        links.setdefault(student_id, set()).add(parent_id)
    state.links = links


def kinds_help() -> list[dict[str, Any]]:
    """The columns each kind of import needs, for the upload page."""
    from krijt.imports.parsing import DUTCH, OPTIONAL, REQUIRED

    return [
        {
            "kind": kind,
            "label": label,
            "required": [(c, DUTCH[c]) for c in REQUIRED[kind]],
            "optional": [(c, DUTCH[c]) for c in OPTIONAL[kind]],
        }
        for kind, label in ImportJob.Kind.choices
    ]
