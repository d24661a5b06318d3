"""Writes for accounts: sign-in, sessions, memberships, parent links and activation letters."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
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
from krijt.accounts.selectors import account_scope
from krijt.core import clock, parts, ratelimit
from krijt.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from krijt.core.middleware import client_address
from krijt.core.roles import Role

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- sign-in


def _login_limits() -> dict[str, tuple[int, int]]:
    return settings.KRIJT_LOGIN_LIMITS  # type: ignore[no-any-return]


# A browser where an account signed in before carries a signed cookie naming it (OWASP's "device cookie").
# Failures from such a browser count against that browser only, so nobody can lock a person out of the
# devices they use by guessing wrong from elsewhere; guesses from unknown browsers meet the account-wide limit.
DEVICE_COOKIE = "krijt_device"
DEVICE_COOKIE_AGE = 180 * 24 * 60 * 60
DEVICE_ACCOUNTS = 10  # a family computer: a few accounts per browser
_DEVICE_SALT = "krijt.accounts.device"


def _account_tag(name: str) -> str:
    return salted_hmac(_DEVICE_SALT, name).hexdigest()[:20]


def _device(request: HttpRequest) -> tuple[str, list[str]]:
    """The browser's device id and the accounts it signed in before ("", [] when unknown or forged)."""
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if not raw:
        return "", []
    try:
        value = signing.loads(raw, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
        return str(value["d"]), [str(a) for a in value["a"]][:DEVICE_ACCOUNTS]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "", []


def known_device(request: HttpRequest, username: str) -> str:
    """The device id when this browser signed in to this account before, else ""."""
    device, accounts = _device(request)
    return device if device and _account_tag(normalize_username(username)) in accounts else ""


def device_cookie_value(request: HttpRequest, user: User) -> str:
    """The cookie to set after a successful sign-in: this browser now knows this account."""
    device, accounts = _device(request)
    tag = _account_tag(user.username)
    accounts = [tag, *(a for a in accounts if a != tag)][:DEVICE_ACCOUNTS]
    return signing.dumps({"d": device or secrets.token_urlsafe(16), "a": accounts}, salt=_DEVICE_SALT)


def _sign_in_check(*, name: str, address: str, device: str) -> ratelimit.Check:
    limits = _login_limits()
    if device:
        # A known device is limited by its own count only; the address's count is read to be reset after success.
        never = 10**9
        return ratelimit.check([
            ("login-device-account", f"{device}|{name}", *limits["address_account"]),
            ("login-addr-account", f"{address}|{name}", never, limits["address_account"][1]),
        ])
    return ratelimit.check([
        ("login-account", name, *limits["account"]),
        ("login-addr-account", f"{address}|{name}", *limits["address_account"]),
    ])


def sign_in_retry_after(*, username: str, address: str, device: str = "") -> int:
    """Seconds to wait before this address (or known device) may try this account again; 0 when allowed."""
    return _sign_in_check(name=normalize_username(username), address=address, device=device).retry_after


def auth_sign_in(*, request: HttpRequest, username: str, password: str, keep_signed_in: bool) -> User:
    """Check the limits first (no hash when limited), then the password, then start the session.

    Limits count failures per account and per address+account, never per address alone: a school of
    500 behind one address is not locked out by a few students' typos. A browser where the account
    signed in before is limited on its own and never by the account-wide count, so a pupil guessing a
    teacher's password before a test locks out only unknown browsers, not the teacher's own.
    """
    address = client_address(request)
    name = normalize_username(username)
    if not name or not password:
        raise ValidationFailed(_("Enter your user name and password."))
    device = known_device(request, name)
    limited = _sign_in_check(name=name, address=address, device=device)  # one cache round trip
    wait = limited.retry_after
    if wait:
        message = _("Too many failed attempts for this account. Try again in %(s)d seconds.") % {"s": wait}
        if not device:
            message += " " + _("On a device where you signed in before, you can sign in now.")
        raise RateLimited(message, retry_after=wait)
    # Bounded: past the wait the sign-in is refused with 503 (waiting room) instead of piling up.
    with password_check_slot():
        user = authenticate(request, username=name, password=password)
    if user is None:
        limits = _login_limits()
        if device:
            ratelimit.hit("login-device-account", f"{device}|{name}", limits["address_account"][1])
        else:
            ratelimit.hit("login-account", name, limits["account"][1])
            ratelimit.hit("login-addr-account", f"{address}|{name}", limits["address_account"][1])
        raise ValidationFailed(_("The user name or password is not correct."))
    # Only counts that exist are reset: most sign-ins follow no failure and cost no cache write here.
    if "login-addr-account" in limited.counted:
        ratelimit.reset("login-addr-account", f"{address}|{name}")
    if "login-device-account" in limited.counted:
        ratelimit.reset("login-device-account", f"{device}|{name}")
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
    parts.bump(account_scope(user.pk))  # an update() sends no signal: the cached session check follows here
    _end_other_sessions(request=request, user=user)  # and they leave the list of signed-in devices
    logout(request)


# ---------------------------------------------------------------- people


def _validate_username(username: str) -> str:
    name = normalize_username(username)
    try:
        username_validator(name)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"username": list(exc.messages)}) from exc
    return name


def username_available(username: str) -> str:
    """The normalised user name, or ValidationFailed (not a valid name) or Conflict (taken)."""
    name = _validate_username(username)
    if User.objects.filter(username=name).exists():
        raise Conflict(_("The user name %(u)s is already taken.") % {"u": name}, fields={"username": [_("Taken.")]})
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
    name = username_available(username)
    user = User.objects.create_user(
        name, first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip(), birth_date=birth_date
    )
    if role != Role.PARENT:
        membership_grant(school=school, user=user, role=role)
    return user


@transaction.atomic
def account_details_set(*, school: Any, actor: User, user: User, first_name: str, last_name: str, email: str,
                        birth_date: dt.date | None) -> User:
    """Name, e-mail address and birth date of an account, changed by `actor` on behalf of `school`.

    An account that also belongs to another school (or to platform staff) is changed only by its owner:
    its e-mail address is where password resets go, so one school changing it could take over the
    account everywhere. When someone else changes an address, the old address hears of it.
    """
    first_name, last_name, email = first_name.strip(), last_name.strip(), email.strip()
    if not first_name and not last_name:
        raise ValidationFailed(fields={"last_name": [_("Enter a first or last name.")]})
    changed = (first_name, last_name, email.lower(), birth_date) != (
        user.first_name, user.last_name, user.email.lower(), user.birth_date)
    if not changed:
        return user
    from krijt.accounts.selectors import belongs_elsewhere

    if actor.pk != user.pk and belongs_elsewhere(user=user, school=school):
        raise Conflict(_("This account is also used in another school: only its owner can change the name, "
                         "e-mail address and birth date."))
    old_email = user.email
    user.first_name, user.last_name, user.email, user.birth_date = first_name, last_name, email, birth_date
    user.save(update_fields=["first_name", "last_name", "email", "birth_date"])
    if actor.pk != user.pk and old_email and old_email.lower() != email.lower():
        from krijt.accounts import mail

        params = {"first_name": user.first_name, "username": user.username, "school": str(school),
                  "new_address": email or _("no address")}
        # The task row is written in this transaction: the notice goes if and only if the change holds.
        mail.queue(mail.EMAIL_CHANGED, address=old_email, language=user.language or getattr(school, "language", ""),
                   params=params)
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


# ---------------------------------------------------------------- my account (the person themselves)


def _check_own_password(user: User, password: str, field: str) -> None:
    with password_check_slot():
        correct = bool(password) and user.check_password(password)
    if not correct:
        raise ValidationFailed(fields={field: [_("This is not your current password.")]})


@transaction.atomic
def own_password_change(*, request: HttpRequest, user: User, current: str, new: str, repeated: str) -> User:
    """A new password for oneself: the current one first. Every other device is signed out; this one stays."""
    _check_own_password(user, current, "current_password")
    if new != repeated:
        raise ValidationFailed(fields={"new_password2": [_("The two new passwords are not the same.")]})
    try:
        validate_password(new, user=user)
    except DjangoValidationError as error:
        raise ValidationFailed(fields={"new_password1": list(error.messages)}) from error
    user.set_password(new)
    user.save(update_fields=["password"])
    _end_other_sessions(request=request, user=user)
    update_session_auth_hash(request, user)
    return user


@transaction.atomic
def own_email_change(*, user: User, email: str, password: str, school: Any = None) -> User:
    """One's own e-mail address (where password resets go): the current password first; the old address
    hears of the change, so that a stolen session cannot quietly take the account."""
    _check_own_password(user, password, "email_password")
    email = email.strip()
    if email:
        try:
            if len(email) > User._meta.get_field("email").max_length:  # type: ignore[operator]
                raise DjangoValidationError("too long")
            EmailValidator()(email)
        except DjangoValidationError as error:
            raise ValidationFailed(fields={"email": [_("Enter a valid e-mail address.")]}) from error
    old_email = user.email
    if old_email.lower() == email.lower():
        return user
    user.email = email
    user.save(update_fields=["email"])
    if old_email:
        from krijt.accounts import mail

        params = {"first_name": user.first_name, "username": user.username, "school": str(school or ""),
                  "new_address": email or _("no address"), "by_owner": True}
        mail.queue(mail.EMAIL_CHANGED, address=old_email,
                   language=user.language or getattr(school, "language", "") or settings.LANGUAGE_CODE,
                   params=params)
    return user


def own_language_set(*, user: User, language: str) -> User:
    """The language Krijt speaks to the person on every device, in e-mails and notifications."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(fields={"language": [_("Choose one of the languages.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def _end_sessions(keys: list[str]) -> None:
    """Ends sessions by key: their rows in one DELETE, their cached copies in one cache call."""
    from krijt.accounts.models import DeviceSession
    from krijt.accounts.session_backend import SessionStore

    if not keys:
        return
    DeviceSession.objects.filter(session_key__in=keys).delete()
    try:
        caches[settings.SESSION_CACHE_ALIAS].delete_many([SessionStore.cache_key_prefix + key for key in keys])
    except Exception:  # the rows are gone: a cached copy alone no longer signs anyone in once it expires
        logger.warning("session cache unreachable; ended sessions stay cached until they expire", exc_info=True)


def _end_other_sessions(*, request: HttpRequest, user: User) -> int:
    from krijt.accounts.models import DeviceSession

    current = getattr(request.session, "session_key", None) or ""
    others = list(DeviceSession.objects.filter(user_id=user.pk).exclude(session_key=current)
                  .values_list("session_key", flat=True))
    _end_sessions(others)
    return len(others)


def device_sign_out(*, request: HttpRequest, user: User, device_id: str) -> bool:
    """Ends one of the person's own sessions, named by its public id. True when it was this very session
    (signed out as usual)."""
    from krijt.accounts.models import DeviceSession

    rows = DeviceSession.objects.filter(user_id=user.pk).only("session_key")
    row = next((r for r in rows if r.public_id == device_id), None)
    if row is None:
        raise NotFound()
    if row.session_key == request.session.session_key:
        logout(request)
        return True
    _end_sessions([row.session_key])
    return False
