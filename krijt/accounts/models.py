from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from krijt.core.models import SchoolScoped
from krijt.core.roles import Role

username_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9._-]{1,63}$",
    _("A user name has 2 to 64 characters: lower-case letters, digits, dots, hyphens and underscores."),
)


def normalize_username(value: str) -> str:
    return value.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username=normalize_username(username or ""))

    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(username=normalize_username(username), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One account per person. What they are in a school is a Membership; parents have ParentLinks."""

    username = models.CharField(_("user name"), max_length=64, unique=True, validators=[username_validator])
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    is_active = models.BooleanField(default=True)
    # Platform operators only (Django admin); school administrators are a Membership role.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Bumped by "sign out everywhere": every session signed with the old value stops working.
    auth_epoch = models.PositiveIntegerField(default=0)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(Lower("last_name"), Lower("first_name"), name="user_name_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def is_adult_on(self, day: dt.date) -> bool:
        age = self.age_on(day)
        return age is not None and age >= 18

    # The session hash of a person read from the cache (accounts.selectors.cached_user), whose password
    # hash stays in the database: used while the password was not loaded or set in this request.
    cached_session_hash: str | None = None

    def get_session_auth_hash(self) -> str:
        if self.cached_session_hash is not None and "password" not in self.__dict__:
            return self.cached_session_hash
        # Django's hash covers the password; the epoch adds "sign out everywhere" without a hash check.
        key_salt = "krijt.accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}:{self.auth_epoch}", algorithm="sha256").hexdigest()


class Membership(SchoolScoped):
    """What a person is in a school: student, teacher, staff or administrator (several are possible)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=[(r.value, r.label) for r in Role if r != Role.PARENT])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "user", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["school", "role"], name="membership_role_idx")]


class ParentLink(SchoolScoped):
    """A parent account linked to a student; a student has at most two. The school is the student's."""

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links")
    created_at = models.DateTimeField(auto_now_add=True)

    MAX_PER_STUDENT = 2

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "parent", "student"], name="parentlink_unique"),
        ]
        indexes = [models.Index(fields=["school", "student"], name="parentlink_student_idx")]


def hash_code(code: str) -> str:
    """Codes are long random secrets, so one fast hash suffices (no dictionary to guess from)."""
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


class ActivationCode(SchoolScoped):
    """A one-time code printed on a letter.

    kind=parent: whoever redeems it becomes a parent of `student` (a new account, or their own).
    kind=account: the holder of `user` sets their first password.
    """

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent account")
        ACCOUNT = "account", _("Account activation")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code_hash = models.CharField(max_length=64, unique=True)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["school", "student"], name="activation_student_idx")]


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"


class DeviceSession(AbstractBaseSession):
    """A signed-in session with whose it is and on what device, so that a person can see where they are
    signed in and end one of them. Written by the session engine (krijt.accounts.session_backend) in the
    same single statement as any session row; nothing more is written at a sign-in."""

    user_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    device = models.CharField(max_length=120, blank=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "krijt_session"
        verbose_name = _("session")

    @classmethod
    def get_session_store_class(cls) -> Any:
        from krijt.accounts.session_backend import SessionStore

        return SessionStore

    @property
    def public_id(self) -> str:
        """Names the session on a page without revealing its key (which signs a person in)."""
        return hashlib.sha256(self.session_key.encode()).hexdigest()[:20]
