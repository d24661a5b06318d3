"""Who reads and edits which folder.

- A course's folder: its teacher and administrators edit it; a co-teacher reads or edits it as the course's
  teacher chose; the students of the course's class and of the classes it is shared with read what is
  visible (from each document's moment); the office (staff) reads it. Parents do not: course folders are the
  students' working material, and a child's own documents are theirs.
- A person's own folder ("My documents"): only its owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from krijt.core.roles import Role

READ_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN})
OWN_FOLDER_ROLES: frozenset[str] = frozenset({Role.STUDENT, Role.TEACHER, Role.STAFF, Role.ADMIN})


@dataclass(frozen=True)
class Access:
    read: bool = False
    edit: bool = False
    sees_hidden: bool = False  # documents before their moment
    manages: bool = False  # sharing and co-teachers of a course's folder

    @property
    def none(self) -> bool:
        return not self.read


NONE = Access()
OWNER = Access(read=True, edit=True, sees_hidden=True)


def course_access(*, roles: frozenset[str], is_teacher: bool, coteacher: bool | None, is_student: bool) -> Access:
    """`coteacher`: None when not a co-teacher, else whether they may edit."""
    if Role.ADMIN in roles or (Role.TEACHER in roles and is_teacher):
        return Access(read=True, edit=True, sees_hidden=True, manages=True)
    if coteacher is not None and Role.TEACHER in roles:
        return Access(read=True, edit=coteacher, sees_hidden=True)
    if Role.STAFF in roles:
        return Access(read=True, sees_hidden=True)
    if is_student and Role.STUDENT in roles:
        return Access(read=True)
    return NONE
