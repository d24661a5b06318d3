"""Administration writes on people: each combines account services with the school's structure in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts import services as accounts
from krijt.accounts.models import Membership, ParentLink, User, normalize_username
from krijt.accounts.selectors import actor_roles
from krijt.core import clock
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.core.roles import MEMBERSHIP_ROLES, Role
from krijt.schooladmin.permissions import can_manage
from krijt.schools.models import ClassGroup, Enrollment, School, SchoolYear
from krijt.schools.services import enrollment_set


def _check_manage(*, school: School, actor: User, roles: frozenset[str] | None) -> None:
    """The one check before any change to a school's people (schooladmin/permissions.py): administrators.
    `roles` when the caller knows them (a page, the API), else read."""
    known = actor_roles(school=school, actor=actor, roles=roles)
    if not can_manage(known):
        raise Forbidden(_("Only the school's administrators may change its people."))


def _in_school(*, school: School, user: User) -> None:
    is_member = Membership.objects.filter(school=school, user=user).exists()
    if not is_member and not ParentLink.objects.filter(school=school, parent=user).exists():
        raise NotFound()


def _student_of(*, school: School, username: str) -> User:
    student = User.objects.filter(
        username=normalize_username(username), memberships__school=school, memberships__role=Role.STUDENT
    ).first()
    if student is None:
        raise ValidationFailed(fields={"child": [_("There is no student with this user name in this school.")]})
    return student


@transaction.atomic
def person_create(
    *,
    school: School,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    email: str = "",
    birth_date: dt.date | None = None,
    class_group: ClassGroup | None = None,
    child_username: str = "",
    roles: frozenset[str] | None = None,
) -> User:
    """A new account with its first role; a student goes into a class, a parent is linked to a child."""
    _check_manage(school=school, actor=actor, roles=roles)
    if role not in {*MEMBERSHIP_ROLES, Role.PARENT}:
        raise ValidationFailed(fields={"role": [_("Unknown role.")]})
    accounts.username_available(username)
    if not first_name.strip() and not last_name.strip():
        raise ValidationFailed(fields={"last_name": [_("Enter a first or last name.")]})
    if birth_date is not None and birth_date > clock.local_today(school.time_zone):
        raise ValidationFailed(fields={"birth_date": [_("A birth date cannot be in the future.")]})
    if role == Role.STUDENT and class_group is None:
        raise ValidationFailed(fields={"class_group": [_("Choose a class for a student.")]})
    if class_group is not None and class_group.school_id != school.pk:
        raise NotFound()
    child = None
    if role == Role.PARENT:
        if not child_username.strip():
            message = _("A parent is linked to a student: enter the child's user name.")
            raise ValidationFailed(fields={"child": [message]})
        child = _student_of(school=school, username=child_username)
    if class_group is not None and role != Role.STUDENT:
        raise ValidationFailed(fields={"class_group": [_("Only students can be put in a class.")]})
    user = accounts.user_create(
        school=school,
        username=username,
        first_name=first_name,
        last_name=last_name,
        role=role,
        email=email,
        birth_date=birth_date,
    )
    if class_group is not None:
        enrollment_set(
            actor=actor,
            roles=roles,
            school=school,
            school_year=class_group.school_year,
            student=user,
            class_group=class_group,
        )
    if child is not None:
        accounts.parent_link_create(school=school, parent=user, student=child)
    return user


@transaction.atomic
def person_update(
    *,
    school: School,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str = "",
    birth_date: dt.date | None = None,
    roles: frozenset[str] | None = None,
) -> User:
    """The account details of a person of the school (refused for an account that also serves elsewhere)."""
    _check_manage(school=school, actor=actor, roles=roles)
    _in_school(school=school, user=user)
    return accounts.account_details_set(
        school=school,
        actor=actor,
        user=user,
        first_name=first_name,
        last_name=last_name,
        email=email,
        birth_date=birth_date,
    )


@transaction.atomic
def person_role_add(
    *, school: School, actor: User, user: User, role: str, roles: frozenset[str] | None = None
) -> Membership:
    _check_manage(school=school, actor=actor, roles=roles)
    _in_school(school=school, user=user)
    if role not in MEMBERSHIP_ROLES:
        raise ValidationFailed(fields={"role": [_("Choose a student, teacher, staff or administrator role.")]})
    return accounts.membership_grant(school=school, user=user, role=role)


@transaction.atomic
def person_role_remove(
    *, school: School, actor: User, user: User, role: str, roles: frozenset[str] | None = None
) -> None:
    """Takes a role away. An administrator cannot take away their own admin role, nor the school's last one."""
    _check_manage(school=school, actor=actor, roles=roles)
    _in_school(school=school, user=user)
    if role == Role.ADMIN:
        if user.pk == actor.pk:
            raise Conflict(_("You cannot remove your own administrator role. Ask another administrator."))
        admins = list(
            Membership.objects.select_for_update()
            .filter(school=school, role=Role.ADMIN)
            .values_list("user_id", flat=True)
        )
        if admins == [user.pk]:
            raise Conflict(_("The school needs at least one administrator."))
    accounts.membership_revoke(school=school, user=user, role=role)
    if role == Role.STUDENT:
        # A former student leaves the classes of running and coming years; past years keep their history.
        today = clock.local_today(school.time_zone)
        Enrollment.objects.filter(school=school, student=user, school_year__ends_on__gte=today).delete()


@transaction.atomic
def person_parent_unlink(
    *, school: School, actor: User, student: User, parent_id: int, roles: frozenset[str] | None = None
) -> None:
    """Removes a parent's link to a student of this school (a link is the school's to keep or remove)."""
    _check_manage(school=school, actor=actor, roles=roles)
    _in_school(school=school, user=student)
    accounts.parent_link_remove(school=school, parent_id=parent_id, student=student)


@transaction.atomic
def person_enrol(
    *,
    school: School,
    actor: User,
    user: User,
    school_year: SchoolYear,
    class_group: ClassGroup | None,
    roles: frozenset[str] | None = None,
) -> None:
    _check_manage(school=school, actor=actor, roles=roles)
    _in_school(school=school, user=user)
    enrollment_set(
        actor=actor, roles=roles, school=school, school_year=school_year, student=user, class_group=class_group
    )
