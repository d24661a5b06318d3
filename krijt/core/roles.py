"""The roles a person can have in a school. Parents are linked to students, not to a school."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    STAFF = "staff", _("Staff")
    ADMIN = "admin", _("Administrator")
    PARENT = "parent", _("Parent")


MEMBERSHIP_ROLES = [Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN]
# Everyone who works at the school: one set, whatever domain asks.
STAFF_ROLES: frozenset[str] = frozenset({Role.TEACHER.value, Role.STAFF.value, Role.ADMIN.value})
