"""Who may read and write notes of the follow-up record.

- Writing: teachers about the students of classes they teach or mentor; the care team about any student.
- Reading, by the note's visibility (a ladder, each step explicit): the author always; the mentor of an
  involved student's class from "mentor"; the class's teachers from "class council"; the care team
  (coordinator, counsellor) from "care team"; a CLB worker only for "CLB", from phase 2, and only while the
  consent of every concerned student is recorded. Administrators and the secretariat read nothing by their
  role alone. The restricted (medical, family) part: the author, the care team and, when shared, the CLB.
- The student reads a note about them meant for them from its moment; the parents likewise, later, unless
  an adult student keeps notes from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from krijt.core.roles import Role

WRITE_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
STAFF_ROLES: frozenset[str] = frozenset({Role.TEACHER, Role.STAFF, Role.ADMIN})
READ_ROLES: frozenset[str] = STAFF_ROLES | {Role.STUDENT, Role.PARENT}


@dataclass(frozen=True)
class Reader:
    """What decides which notes a staff member reads: worked out once per request."""

    user_id: int
    mentored: frozenset[int]  # class ids
    taught: frozenset[int]
    care_team: bool
    clb: bool


def can_read(reader: Reader, *, author_id: int | None, visibility: int, phase: int | None,
             class_ids: frozenset[int], consented: bool) -> bool:
    if author_id == reader.user_id:
        return True
    if visibility >= 1 and class_ids & reader.mentored:
        return True
    if visibility >= 2 and class_ids & (reader.taught | reader.mentored):
        return True
    if visibility >= 3 and reader.care_team:
        return True
    return visibility >= 4 and reader.clb and (phase or 0) >= 2 and consented


def can_read_restricted(reader: Reader, *, author_id: int | None, visibility: int, consented: bool,
                        phase: int | None) -> bool:
    if author_id == reader.user_id or reader.care_team:
        return True
    return visibility >= 4 and reader.clb and (phase or 0) >= 2 and consented


def can_write_about(reader: Reader, *, class_ids: frozenset[int]) -> bool:
    return reader.care_team or (bool(class_ids) and class_ids <= (reader.taught | reader.mentored))
