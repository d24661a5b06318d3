from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Value

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core import clock, parts
from krijt.core.errors import NotFound
from krijt.core.roles import Role


def actor_roles(*, school: Any, actor: User, roles: frozenset[str] | None) -> frozenset[str]:
    """What a service's actor is in `school`: the roles its caller already knows (a page, the API read them
    once per request), else read here. Every door asks its permissions with these."""
    return roles if roles is not None else roles_in_school(school=school, user=actor)


def roles_scope(school_id: int, user_id: int) -> str:
    """Bumped whenever a membership or a parent link of the person in the school changes (accounts/signals.py)."""
    return parts.scope(school_id, "roles", user_id)


def account_scope(user_id: int) -> str:
    """Bumped when the person's row changes (any field but last_login): by the signal on every save, and
    by hand after a bulk write (sign-out-everywhere's update(), an import's bulk_update)."""
    return parts.scope(0, "account", user_id)


def user_part(user_id: int) -> parts.Part:
    """The person's row, as every signed-in request needs it (Django's auth middleware asks the backend):
    from the cache while their account scope stands, so a warm page reads no table at all. None when
    there is no such person. The password hash never goes into the cache: the row is kept without it,
    with the session hash it yields (`cached_user` puts them together again)."""

    def build() -> dict[str, Any] | None:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
        fields = {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields if f.attname != "password"}
        return {"fields": fields, "session_hash": user.get_session_auth_hash()}

    return parts.Part(parts.key(0, "user", user_id), (account_scope(user_id),), build)


def cached_user(user_id: int) -> User | None:
    """The person from `user_part`: a User whose password is deferred (read from the database only if
    something asks for it; a save() writes only the loaded fields, so never a missing password)."""
    (row,) = parts.fetch([user_part(user_id)])
    if row is None:
        return None
    fields = row["fields"]
    user = User.from_db("default", list(fields), list(fields.values()))
    user.cached_session_hash = row["session_hash"]
    return user


def who_part(school: Any, user: Any) -> parts.Part:
    """Who is asking, as every request needs it: their roles in the school, the hash their session must
    carry, and the name to greet them by. The degraded home page reads it when the database is down."""

    def build() -> dict[str, Any]:
        return {"roles": sorted(roles_in_school(school=school, user=user)), "hash": user.get_session_auth_hash(),
                "name": user.first_name or user.username}

    return _who(school.pk, user.pk, build)


def _who(school_id: int, user_id: int, build: Any) -> parts.Part:
    return parts.Part(parts.key(school_id, "who", user_id), (roles_scope(school_id, user_id), account_scope(user_id)),
                      build)


def read_ahead_person(*, school_id: int | None, user_id: int) -> None:
    """Reads the signed-in person's row and, in a school, what they are there, in one round trip before
    the first is needed (the session names the person; krijt.core.readahead)."""
    wanted = [user_part(user_id)]
    if school_id is not None:
        wanted.append(_who(school_id, user_id, None))
    parts.prefetch(wanted)


def cached_roles_in_school(*, school: Any, user: User) -> frozenset[str]:
    """`roles_in_school` through the parts cache: every request asks, and the answer changes only when a
    membership or a parent link does, which bumps its scope at once and again after the commit."""
    (who,) = parts.fetch([who_part(school, user)])
    return frozenset(who["roles"])


def roles_in_school(*, school: Any, user: User) -> frozenset[str]:
    """Everything `user` is in `school`, in one query (memberships, and parent when linked to a student)."""
    memberships = Membership.objects.filter(school=school, user=user).values_list("role")
    parent = (
        ParentLink.objects.filter(school=school, parent=user).annotate(r=Value(Role.PARENT.value)).values_list("r")
    )
    return frozenset(r for (r,) in memberships.union(parent))


def parents_of(*, school: Any, student: User) -> QuerySet[User]:
    return User.objects.filter(children_links__school=school, children_links__student=student)


def members(*, school: Any, role: str | None = None) -> QuerySet[User]:
    qs = User.objects.filter(memberships__school=school)
    if role:
        qs = qs.filter(memberships__role=role)
    return qs.distinct()


def belongs_elsewhere(*, user: User, school: Any) -> bool:
    """True when the account is not `school`'s alone: a role or a child in another school, or platform staff.

    Such an account's name, e-mail address (its password-reset address everywhere), birth date and
    password are the person's own: no single school may change them (docs/security.md).
    """
    if user.is_staff or user.is_superuser:
        return True
    return (
        Membership.objects.filter(user=user).exclude(school=school).exists()
        or ParentLink.objects.filter(parent=user).exclude(school=school).exists()
    )


def first_school_slug(*, user: User) -> str:
    """The address of the first school (by name) where the person has a role or a child, or ""."""
    slugs = Membership.objects.filter(user=user).values_list("school__name", "school__slug").union(
        ParentLink.objects.filter(parent=user).values_list("school__name", "school__slug"))
    first = min(slugs, default=None)
    return first[1] if first else ""


def children_in_school(*, school: Any, parent: User) -> QuerySet[User]:
    """A parent's children in this school, by first name (siblings mostly share the last name)."""
    return User.objects.filter(parent_links__school=school, parent_links__parent=parent).order_by(
        "first_name", "last_name", "pk"
    )


def child_of_parent(*, school: Any, parent: User, student_id: int) -> User:
    """A student linked to `parent` in this school; anyone else is not found."""
    link = ParentLink.objects.filter(school=school, parent=parent, student_id=student_id).select_related("student")
    found = link.first()
    if found is None:
        raise NotFound()
    return found.student


def first_child_of(*, school: Any, parent: User) -> User:
    found = children_in_school(school=school, parent=parent).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class Device:
    id: str
    label: str
    signed_in_at: dt.datetime | None
    expires_at: dt.datetime
    current: bool


def devices_of(*, user: User, current_key: str | None) -> list[Device]:
    """Where the person is signed in: their live sessions, newest first (this one marked)."""
    from krijt.accounts.devices import device_label
    from krijt.accounts.models import DeviceSession

    rows = (DeviceSession.objects.filter(user_id=user.pk, expire_date__gt=clock.now())
            .order_by("-signed_in_at", "-expire_date")[:50])
    return [Device(id=r.public_id, label=device_label(r.device), signed_in_at=r.signed_in_at,
                   expires_at=r.expire_date, current=r.session_key == current_key) for r in rows]


def adults_keeping_private(sharing: Any, *, school: Any, student_ids: set[int], today: dt.date) -> set[int]:
    """Of `student_ids`, the adult students whose choice row in `sharing` (a module's model with `school`,
    `student` and `parents_may_see`: results, attendance, follow-up notes) keeps the topic from their
    parents. A minor's "no" does not count. One query."""
    if not student_ids:
        return set()
    rows = sharing.objects.filter(school=school, student_id__in=student_ids, parents_may_see=False).values_list(
        "student_id", "student__birth_date")
    return {pk for pk, birth_date in rows if User(birth_date=birth_date).is_adult_on(today)}
