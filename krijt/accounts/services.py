"""Writes for accounts: sign-in, sessions, memberships, parent links and activation letters."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from krijt.accounts.hashing_pool import password_check_slot
from krijt.accounts.models import (
    ActivationCode,
    Membership,
    ParentLink,
    User,
    hash_code,
    normalize_username,
    username_validator,
)
from krijt.core import clock, ratelimit
from krijt.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from krijt.core.middleware import client_address
from krijt.core.roles import Role

# ---------------------------------------------------------------- sign-in


def _login_limits() -> dict[str, tuple[int, int]]:
    return settings.KRIJT_LOGIN_LIMITS  # type: ignore[no-any-return]


def sign_in_retry_after(*, username: str, address: str) -> int:
    """Seconds to wait before this address may try this account again; 0 when allowed. No hashing."""
    limits = _login_limits()
    name = normalize_username(username)
    return max(
        ratelimit.retry_after("login-account", name, *limits["account"]),
        ratelimit.retry_after("login-addr-account", f"{address}|{name}", *limits["address_account"]),
    )


def auth_sign_in(*, request: HttpRequest, username: str, password: str, keep_signed_in: bool) -> User:
    """Check the limits first (no hash when limited), then the password, then start the session.

    Limits count failures per account and per address+account, never per address alone: a school of
    500 behind one address is not locked out by a few students' typos.
    """
    address = client_address(request)
    name = normalize_username(username)
    if not name or not password:
        raise ValidationFailed(_("Enter your user name and password."))
    wait = sign_in_retry_after(username=name, address=address)
    if wait:
        raise RateLimited(
            _("Too many failed attempts for this account. Try again in %(s)d seconds.") % {"s": wait}, retry_after=wait
        )
    # Bounded: past the wait the sign-in is refused with 503 (waiting room) instead of piling up.
    with password_check_slot():
        user = authenticate(request, username=name, password=password)
    if user is None:
        limits = _login_limits()
        ratelimit.hit("login-account", name, limits["account"][1])
        ratelimit.hit("login-addr-account", f"{address}|{name}", limits["address_account"][1])
        raise ValidationFailed(_("The user name or password is not correct."))
    ratelimit.reset("login-addr-account", f"{address}|{name}")
    login(request, user)
    if keep_signed_in:
        request.session.set_expiry(settings.SESSION_COOKIE_AGE)
    else:
        # A browser-session cookie, and a hard end on the server for shared school computers.
        request.session.set_expiry(0)
        request.session["krijt_until"] = clock.now().timestamp() + settings.KRIJT_SHORT_SESSION_AGE
    return user  # type: ignore[no-any-return]


def auth_sign_out(*, request: HttpRequest) -> None:
    logout(request)


@transaction.atomic
def auth_sign_out_everywhere(*, request: HttpRequest, user: User) -> None:
    """Invalidates every session of the user (all devices): the session hash includes the epoch."""
    User.objects.filter(pk=user.pk).update(auth_epoch=user.auth_epoch + 1)
    logout(request)


# ---------------------------------------------------------------- people


def _validate_username(username: str) -> str:
    name = normalize_username(username)
    try:
        username_validator(name)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"username": list(exc.messages)}) from exc
    return name


@transaction.atomic
def user_create(
    *,
    school: Any,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    email: str = "",
    birth_date: dt.date | None = None,
) -> User:
    name = _validate_username(username)
    if User.objects.filter(username=name).exists():
        raise Conflict(_("The user name %(u)s is already taken.") % {"u": name}, fields={"username": [_("Taken.")]})
    user = User.objects.create_user(
        name, first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip(), birth_date=birth_date
    )
    if role != Role.PARENT:
        membership_grant(school=school, user=user, role=role)
    return user


def membership_grant(*, school: Any, user: User, role: str) -> Membership:
    if role not in {Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN}:
        raise ValidationFailed(fields={"role": [_("Unknown role.")]})
    membership, _created = Membership.objects.get_or_create(school=school, user=user, role=role)
    return membership


@transaction.atomic
def membership_revoke(*, school: Any, user: User, role: str) -> None:
    Membership.objects.filter(school=school, user=user, role=role).delete()


@transaction.atomic
def parent_link_create(*, school: Any, parent: User, student: User) -> ParentLink:
    """Links a parent to a student of `school`; a student has at most two parent accounts."""
    # Lock the student's membership row so two concurrent links cannot both pass the count.
    if not Membership.objects.select_for_update().filter(school=school, user=student, role=Role.STUDENT).exists():
        raise NotFound(_("This student is not in this school."))
    if parent.pk == student.pk:
        raise ValidationFailed(_("A student cannot be their own parent."))
    existing = ParentLink.objects.filter(school=school, student=student)
    if existing.filter(parent=parent).exists():
        return existing.get(parent=parent)
    if existing.count() >= ParentLink.MAX_PER_STUDENT:
        raise Conflict(_("This student already has two parent accounts."))
    try:
        with transaction.atomic():
            return ParentLink.objects.create(school=school, parent=parent, student=student)
    except IntegrityError as exc:
        raise Conflict(_("This parent is already linked.")) from exc


@transaction.atomic
def parent_link_remove(*, school: Any, parent_id: int, student: User) -> None:
    """Unlinks a parent account from a student of `school` (NotFound when they are not linked).

    From then on the parent sees nothing of the child here; the notification engine takes back what it
    had told or would still tell them about the child (it listens to the link's removal).
    """
    deleted, _by_model = ParentLink.objects.filter(school=school, parent_id=parent_id, student=student).delete()
    if not deleted:
        raise NotFound(_("This parent is not linked to this student."))


# ---------------------------------------------------------------- activation letters

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: letters are typed from paper
CODE_VALID_DAYS = 60


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


@dataclass(frozen=True)
class Letter:
    student: User
    class_name: str
    codes: list[str]
    expires_at: dt.datetime


@transaction.atomic
def parent_letters_issue(*, school: Any, students: list[User], class_names: dict[int, str]) -> list[Letter]:
    """New parent codes for each free parent slot of each student; earlier unused codes stop working."""
    now = clock.now()
    expires = now + dt.timedelta(days=CODE_VALID_DAYS)
    ids = [s.pk for s in students]
    ActivationCode.objects.filter(
        school=school,
        kind=ActivationCode.Kind.PARENT,
        student_id__in=ids,
        used_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    linked: dict[int, int] = {}
    for sid in ParentLink.objects.filter(school=school, student_id__in=ids).values_list("student_id", flat=True):
        linked[sid] = linked.get(sid, 0) + 1
    letters, rows = [], []
    for student in students:
        free = ParentLink.MAX_PER_STUDENT - linked.get(student.pk, 0)
        codes = [_new_code() for _ in range(max(0, free))]
        rows += [
            ActivationCode(
                school=school,
                kind=ActivationCode.Kind.PARENT,
                code_hash=hash_code(c),
                student=student,
                expires_at=expires,
            )
            for c in codes
        ]
        letters.append(Letter(student, class_names.get(student.pk, ""), codes, expires))
    ActivationCode.objects.bulk_create(rows)
    return letters


def _usable_code(code: str) -> ActivationCode:
    found = (
        ActivationCode.objects.select_for_update(of=("self",))
        .filter(code_hash=hash_code(code), used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=clock.now())
        .select_related("school", "student")
        .first()
    )
    if found is None:
        raise ValidationFailed(
            _("This code is not valid. Check it on the letter, or ask the school for a new one."),
            fields={"code": [_("Not valid.")]},
        )
    return found


def activation_code_check(*, code: str) -> ActivationCode:
    with transaction.atomic():
        return _usable_code(code)


@transaction.atomic
def parent_activate(*, code: str, username: str, password: str, first_name: str, last_name: str, email: str) -> User:
    """Redeems a parent code with a new account."""
    activation = _usable_code(code)
    name = _validate_username(username)
    if User.objects.filter(username=name).exists():
        raise Conflict(
            _("The user name %(u)s is already taken.") % {"u": name},
            fields={"username": [_("Taken: choose another, or sign in to link this child.")]},
        )
    parent = User(username=name, first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip())
    try:
        validate_password(password, parent)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"password": list(exc.messages)}) from exc
    parent.set_password(password)
    parent.save()
    return _redeem_parent(activation, parent)


@transaction.atomic
def parent_link_by_code(*, code: str, parent: User) -> User:
    """Redeems a parent code for an existing account (a second child, perhaps in another school)."""
    return _redeem_parent(_usable_code(code), parent)


def _redeem_parent(activation: ActivationCode, parent: User) -> User:
    assert activation.student is not None
    parent_link_create(school=activation.school, parent=parent, student=activation.student)
    activation.used_at = clock.now()
    activation.used_by = parent
    activation.save(update_fields=["used_at", "used_by"])
    return parent
