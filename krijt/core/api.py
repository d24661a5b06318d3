"""What every domain's API router shares: the one error shape, the statuses any operation may answer,
who is asking, checked days, and the small references (a person, a course, a class, a teacher).

Each domain owns its router beside its views (`krijt/<domain>/api.py`) and builds on these; `krijt/api`
keeps the NinjaAPI object, authentication, error mapping and the registration of the routers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from krijt.core import days
from krijt.core.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from krijt.accounts.models import User
    from krijt.schools.models import School


def _day_in_range(value: dt.date) -> dt.date:
    if not days.in_range(value):
        raise ValueError(_("Choose a day between 1900 and 2999."))
    return value


# A day a caller may send: 1900-2999 (krijt.core.days), refused with a 400 outside it.
Day = Annotated[dt.date, AfterValidator(_day_in_range)]


class FindingOut(Schema):
    rule: str
    level: Literal["warn", "block"]
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    retry_after: int | None = None
    findings: list[FindingOut] | None = Field(
        None, description="The planner's workload rules that fired (codes workload_warning, workload_blocked)."
    )
    may_override: bool | None = Field(
        None, description="workload_blocked: whether the caller may plan anyway with an override_reason."
    )


class ErrorOut(Schema):
    error: ErrorBody


class PersonRef(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    full_name: str


class CourseRef(Schema):
    id: int
    name: str
    code: str


class ClassRef(Schema):
    id: int
    name: str


class TeacherRef(Schema):
    id: int
    full_name: str


# What any operation may answer, whatever it does: bad parameters (400), no or a wrong token (401), not
# found (404), a body or address too long (413, 414), too many requests (429), and a full or paused
# server (503). Every one comes in the one error shape (ErrorOut).
ANY_OPERATION = (400, 401, 404, 413, 414, 429, 503)


def _errors(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(sorted({*ANY_OPERATION, *statuses}), ErrorOut)


def ok(schema: Any, *statuses: int, status: int = 200) -> dict[int, Any]:
    """The responses of an operation: `schema` at `status`, and the error shape at every other status."""
    return {status: schema, **_errors(*statuses)}


@dataclass(frozen=True)
class Caller:
    school: School
    user: User
    roles: frozenset[str]


def caller(request: HttpRequest, allowed: frozenset[str] | None = None) -> Caller:
    """The school, the person and their roles in it; Forbidden without a role (or without an allowed one)."""
    school = getattr(request, "school", None)
    if school is None:
        raise NotFound()
    roles = frozenset(request.roles)  # type: ignore[attr-defined]
    if not roles or (allowed is not None and not roles & allowed):
        raise Forbidden()
    return Caller(school=school, user=request.user, roles=roles)  # type: ignore[arg-type]
