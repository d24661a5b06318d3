"""The demo school's follow-up record: notes the mentors wrote over the last weeks (mostly positive notes
and observations, a few incidents with an invitation to talk, an agreement, a meeting report, one care
measure with a review date replacing a lighter one that was closed), a correction, the recorded consent
for the CLB, the students' and parents' side of some, all through the care services at the moments they
happened.

Part of krijt.demo.activity's replay.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from krijt.accounts.models import ParentLink, User
from krijt.care import services as care
from krijt.care.models import CareTeamMember, Note
from krijt.core.roles import Role
from krijt.schools.models import ClassGroup

if TYPE_CHECKING:
    from krijt.demo.activity import _Replay
    from krijt.demo.selectors import DemoAccounts

TEACHER = frozenset({Role.TEACHER.value})
STAFF = frozenset({Role.STAFF.value})
STUDENT = frozenset({Role.STUDENT.value})
PARENT = frozenset({Role.PARENT.value})

POSITIVE = ("Hielp spontaan een nieuwe klasgenoot met het lessenrooster en de weg in de school.",
            "Heel sterke presentatie over het project; de klas luisterde aandachtig.",
            "Nam het initiatief om na de les het lokaal mee op te ruimen.")
OBSERVATIONS = (("Lijkt de laatste weken vaak moe in de eerste lessen.", "Eerste lesuur, meerdere keren.",
                 "Even polsen in een kort gesprek hoe het gaat."),
                ("Werkt beter naast een rustige klasgenoot.", "Groepswerk bij Nederlands.",
                 "Vaste plaats naast een rustige klasgenoot uitproberen."))
INCIDENTS = (("Duwde een klasgenoot op de trap na de wiskundeles.", "Drukke trap bij het wisselen van lokaal.",
              "Een gesprek met beide leerlingen, samen met de klastitularis."),
             ("Gebruikte de gsm tijdens de toets ondanks de afspraak.", "Toets Frans, derde lesuur.",
              "Toets opnieuw maken op woensdag; afspraak over de gsm herhalen."))


def notes(replay: _Replay, rng: random.Random, *, groups: list[ClassGroup], focus: set[int],
          students_by_class: dict[int, list[User]], past: list[dt.date], family: DemoAccounts) -> None:
    from krijt.demo.activity import _quiet_refusals

    school = replay.school
    if len(past) < 8:
        return
    coordinator = (CareTeamMember.objects.filter(school=school, function=CareTeamMember.Function.COORDINATOR)
                   .select_related("user").first())
    made: dict[str, Note] = {}

    def write(key: str, author: User, roles: frozenset[str], data: care.NoteIn) -> Callable[[], None]:
        def run() -> None:
            with _quiet_refusals("a follow-up note"):
                made[key] = care.note_create(school=school, author=author, roles=roles, data=data)
                replay.summary.counts["notes"] += 1
        return run

    def reply(key: str, author: User, roles: frozenset[str], student: User, text: str) -> Callable[[], None]:
        def run() -> None:
            note = made.get(key)
            if note is None:
                return
            with _quiet_refusals("a reply to a note"):
                care.reply_write(school=school, author=author, roles=roles, note_id=note.pk, student_id=student.pk,
                                 text=text)
                replay.summary.counts["replies"] += 1
        return run

    def correct(key: str, actor: User, roles: frozenset[str], reason: str, done: str) -> Callable[[], None]:
        def run() -> None:
            note = made.get(key)
            if note is None:
                return
            with _quiet_refusals("a correction of a note"):
                care.note_correct(school=school, actor=actor, roles=roles, note_id=note.pk, reason=reason,
                                  data=care.NoteIn(kind=note.kind, students=[], what_happened=note.what_happened,
                                                   situation=note.situation, done_so_far=done,
                                                   next_step=note.next_step, restricted=note.restricted,
                                                   visibility=note.visibility, phase=note.phase,
                                                   review_on=note.review_on))
        return run

    def close(key: str, actor: User, roles: frozenset[str], reason: str) -> Callable[[], None]:
        def run() -> None:
            note = made.get(key)
            if note is None:
                return
            with _quiet_refusals("closing a care measure"):
                care.measure_close(school=school, actor=actor, roles=roles, note_id=note.pk, reason=reason)
        return run

    def consent(student: User, actor: User, roles: frozenset[str], given_by: str) -> Callable[[], None]:
        def run() -> None:
            with _quiet_refusals("a consent for the CLB"):
                care.consent_record(school=school, actor=actor, roles=roles, student_id=student.pk,
                                    given_by=given_by)
        return run

    classes = [g for g in groups if g.pk in focus and g.mentor is not None]
    for number, group in enumerate(classes):
        kids = [s for s in students_by_class.get(group.pk, []) if s.pk != family.student.pk]
        if len(kids) < 6:
            continue
        mentor = group.mentor
        assert mentor is not None
        picks = rng.sample(kids, 6)
        for index, text in enumerate(POSITIVE[:2]):
            day = past[-(3 + 4 * index + number % 3)]
            replay.at(day, dt.time(15, 50), write(f"pos-{group.pk}-{index}", mentor, TEACHER, care.NoteIn(
                kind="positive", students=[(picks[index].pk, "concerned")], what_happened=text,
                to_student=True, to_parents=True)))
        what, situation, step = OBSERVATIONS[number % 2]
        replay.at(past[-6], dt.time(16, 10), write(f"obs-{group.pk}", mentor, TEACHER, care.NoteIn(
            kind="observation", students=[(picks[2].pk, "concerned")], what_happened=what, situation=situation,
            next_step=step, to_student=False, visibility=2)))
        if number < 2:
            what, situation, step = INCIDENTS[number]
            key = f"inc-{group.pk}"
            replay.at(past[-5], dt.time(12, 20), write(key, mentor, TEACHER, care.NoteIn(
                kind="incident", students=[(picks[3].pk, "concerned"), (picks[4].pk, "witness")],
                what_happened=what, situation=situation, next_step=step, to_student=True, to_parents=True,
                talk_with_id=mentor.pk)))
            replay.at(past[-4], dt.time(10, 5), reply(key, picks[3], STUDENT, picks[3],
                                                      "Het was niet de bedoeling; ik had haast."))
            parent = ParentLink.objects.filter(school=school, student=picks[3]).select_related("parent").first()
            if parent is not None:
                replay.at(past[-2], dt.time(20, 15), reply(key, parent.parent, PARENT, picks[3],
                                                           "We hebben het thuis besproken. Bedankt voor de uitleg."))
        replay.at(past[-5], dt.time(16, 30), correct(f"obs-{group.pk}", mentor, TEACHER,
                                                    "Aangevuld met wat al gebeurde.",
                                                    "Besproken met de collega's op het klassenoverleg."))
        if number == 1:
            replay.at(past[-3], dt.time(12, 40), write(f"agreement-{group.pk}", mentor, TEACHER, care.NoteIn(
                kind="agreement", students=[(picks[3].pk, "concerned")], visibility=2, to_student=True,
                what_happened="Afspraak na het gesprek: de gsm zit tijdens toetsen in de boekentas.",
                next_step="Na de kerstexamens samen bekijken hoe het loopt.")))
        if number == 0 and coordinator is not None:
            # An earlier, lighter measure, closed when the fuller one below replaced it.
            replay.at(past[-8], dt.time(13, 0), write(f"care-early-{group.pk}", coordinator.user, STAFF, care.NoteIn(
                kind="care_measure", students=[(picks[5].pk, "concerned")],
                what_happened="Toetsen in een groter lettertype, op vraag van de leerling.",
                next_step="Na twee weken bekijken of het volstaat.", phase=0, visibility=3,
                review_on=past[-1] + dt.timedelta(days=7))))
            replay.at(past[-7], dt.time(13, 30), close(
                f"care-early-{group.pk}", coordinator.user, STAFF,
                "Volstond niet; vervangen door extra tijd en een aparte ruimte."))
            replay.at(past[-7], dt.time(13, 45), consent(picks[5], coordinator.user, STAFF,
                                                         "Beide ouders, op papier, na het overleg"))
            replay.at(past[-7], dt.time(11, 0), write(f"meeting-{group.pk}", coordinator.user, STAFF, care.NoteIn(
                kind="meeting", students=[(picks[5].pk, "concerned")], visibility=3,
                what_happened="Overleg met de ouders, de klastitularis en de zorgcoördinator over het plannen "
                              "en de toetsen.",
                next_step="Extra tijd en een aparte ruimte bij toetsen; evaluatie op de klassenraad.")))
            replay.at(past[-7], dt.time(14, 0), write(f"care-{group.pk}", coordinator.user, STAFF, care.NoteIn(
                kind="care_measure", students=[(picks[5].pk, "concerned")],
                what_happened="Extra tijd en een aparte ruimte bij toetsen, na overleg met de ouders.",
                next_step="Evaluatie op de klassenraad.", phase=1, visibility=3, to_student=True,
                to_parents=True, review_on=past[-1] + dt.timedelta(days=21),
                restricted="Diagnose dyslexie (attest in het dossier).")))
    # The family's own child: a positive note, and an observation the parents can read.
    mentor = next((g.mentor for g in groups if g.name == family.class_name and g.mentor is not None), None)
    if mentor is not None:
        replay.at(past[-3], dt.time(15, 45), write("family-positive", mentor, TEACHER, care.NoteIn(
            kind="positive", students=[(family.student.pk, "concerned")],
            what_happened="Gaf een heel duidelijke uitleg aan de klas bij het groepswerk aardrijkskunde.",
            to_student=True, to_parents=True)))
