"""Writes for report cards: comments, the decision, release, and the conversation about a B or C certificate."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from krijt.accounts.models import ParentLink, User
from krijt.core import clock
from krijt.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from krijt.notifications.services import Event, Target, notify_events, withdraw
from krijt.reportcards import kinds, permissions, selectors
from krijt.reportcards.models import CardLine, CourseComment, ReportCard
from krijt.results.release import release_moments
from krijt.results.selectors import ReleaseContext, hidden_from_parents, release_context
from krijt.schools.calendar import next_school_hours
from krijt.schools.models import ClassGroup, Course, Enrollment, Period, School
from krijt.schools.paths import school_path

MAX_COMMENT = 2000


def _card(*, school: School, period: Period, class_group: ClassGroup, student_id: int) -> ReportCard:
    card, _created = ReportCard.objects.select_for_update().get_or_create(
        school=school, period=period, student_id=student_id, defaults={"class_group": class_group}
    )
    return card


def _check_period(period: Period, class_group: ClassGroup) -> None:
    if period.school_year_id != class_group.school_year_id:
        raise NotFound()


@transaction.atomic
def course_comments_save(
    *, school: School, actor: User, roles: frozenset[str], period: Period, course: Course, comments: dict[int, str]
) -> int:
    """The course teacher's comments per student ({student id: text}); an empty text removes the comment.
    Returns how many changed. Released cards are final."""
    if not permissions.can_comment_course(user=actor, roles=roles, course=course):
        raise Forbidden()
    group = course.class_group
    _check_period(period, group)
    enrolled = set(
        Enrollment.objects.filter(school=school, class_group=group, student_id__in=list(comments)).values_list(
            "student_id", flat=True
        )
    )
    errors = {
        f"comment_{sid}": [_("At most %(n)d characters.") % {"n": MAX_COMMENT}]
        for sid, text in comments.items()
        if len(text) > MAX_COMMENT
    }
    if errors:
        raise ValidationFailed(fields=errors)
    changed = 0
    for student_id, raw in comments.items():
        if student_id not in enrolled:
            raise NotFound()
        text = raw.strip()
        existing = ReportCard.objects.filter(school=school, period=period, student_id=student_id).first()
        if existing is None and not text:
            continue
        card = existing or _card(school=school, period=period, class_group=group, student_id=student_id)
        if card.released_at is not None:
            current = (
                CourseComment.objects.filter(school=school, card=card, course=course)
                .values_list("text", flat=True)
                .first()
            )
            if (current or "") != text:
                raise Conflict(_("The report card of this student is released; comments can no longer change."))
            continue
        comment = CourseComment.objects.filter(school=school, card=card, course=course).first()
        if not text:
            if comment is not None:
                comment.delete()
                changed += 1
        elif comment is None:
            CourseComment.objects.create(school=school, card=card, course=course, text=text, author=actor)
            changed += 1
        elif comment.text != text:
            comment.text, comment.author = text, actor
            comment.save(update_fields=["text", "author", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def card_mentor_update(
    *,
    school: School,
    actor: User,
    roles: frozenset[str],
    period: Period,
    class_group: ClassGroup,
    student_id: int,
    mentor_comment: str,
    decision: str = "",
    excluded: str = "",
    decision_note: str = "",
) -> ReportCard:
    """The mentor's comment and, at year end, the class council's decision (A, B with what is excluded, or C)."""
    if not permissions.can_manage_class(user=actor, roles=roles, class_group=class_group):
        raise Forbidden()
    _check_period(period, class_group)
    if not Enrollment.objects.filter(school=school, class_group=class_group, student_id=student_id).exists():
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if len(mentor_comment) > 4000:
        errors["mentor_comment"] = [_("At most %(n)d characters.") % {"n": 4000}]
    if decision not in ReportCard.Decision.values:
        errors["decision"] = [_("Choose A, B or C.")]
    elif decision and not selectors.is_year_end(school=school, period=period):
        errors["decision"] = [_("The class council decides at the end of the school year only.")]
    if decision == ReportCard.Decision.B and not excluded.strip():
        errors["excluded"] = [_("A B certificate says which courses or fields of study are excluded.")]
    if errors:
        raise ValidationFailed(fields=errors)
    card = _card(school=school, period=period, class_group=class_group, student_id=student_id)
    if card.released_at is not None:
        raise Conflict(_("This report card is released; it can no longer change."))
    card.mentor_comment = mentor_comment.strip()
    card.mentor_comment_by = actor
    card.decision = decision
    card.excluded = excluded.strip() if decision == ReportCard.Decision.B else ""
    card.decision_note = decision_note.strip() if decision else ""
    card.save()
    return card


def _moments(
    *, context: ReleaseContext, moment: dt.datetime, sensitive: bool, lines: list[selectors.Line] | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """When the student and the parents may read a card released at `moment`: like a result (a sensitive
    card inside the student's school hours), and never before the results it carries reach each of them."""
    carried = lines or []
    student_floor = max([moment] + [line.student_visible_at for line in carried if line.student_visible_at])
    release = release_moments(
        moment=student_floor,
        policy=context.policy,
        delivery=context.delivery,
        calendar=context.calendar,
        tz=context.tz,
        sensitive=sensitive,
    )
    # Computed as if parents may see, as for results: an adult student's choice applies when reading.
    assert release.parent_visible_at is not None
    parent = max([release.parent_visible_at, release.student_visible_at])
    parent = max([parent] + [line.parent_visible_at for line in carried if line.parent_visible_at])
    return release.student_visible_at, parent


def _card_url(school: School, card: ReportCard) -> str:
    return school_path(school, "reportcards:card", period_id=card.period_id, student_id=card.student_id)


def _notify(*, school: School, card: ReportCard, invite: bool) -> None:
    """The student at their moment, the parents at theirs; withdrawn first, so a new moment replaces the old."""
    for audience in ("student", "parent"):
        withdraw(school=school, key=f"reportcard:{card.pk}:{audience}")
    _notify_all(school=school, cards=[card], invites={card.pk: invite})


def _notify_all(*, school: School, cards: list[ReportCard], invites: dict[int, bool]) -> None:
    """Tells the students and parents of released cards, in one pass of the notification engine: the
    parents' links and the adult students' choices are read once for all cards."""
    student_ids = {card.student_id for card in cards if card.parent_visible_at is not None}
    told = student_ids - hidden_from_parents(
        school=school, student_ids=student_ids, today=clock.local_today(school.time_zone))
    parents: dict[int, list[int]] = {}
    for parent_id, student_id in ParentLink.objects.filter(school=school, student_id__in=told).values_list(
        "parent_id", "student_id"
    ):
        parents.setdefault(student_id, []).append(parent_id)
    events = []
    for card in cards:
        student = card.student
        mentor = card.class_group.mentor
        talk_to = card.talk_to or mentor
        params = {
            "period": card.period.name,
            "student": student.first_name,
            "mentor": mentor.full_name if mentor else "",
            "talk_to": talk_to.full_name if talk_to else "",
            "talk_to_is_mentor": bool(talk_to and mentor and talk_to.pk == mentor.pk),
            "invite": invites.get(card.pk, False),
        }
        url = _card_url(school, card)
        if card.student_visible_at is not None:
            events.append(Event(kind=kinds.KIND, key=f"reportcard:{card.pk}:student",
                                targets=[Target(student.pk, "student")], params={**params, "audience": "student"},
                                url=url, moment=card.student_visible_at))
        if card.parent_visible_at is not None and parents.get(student.pk):
            events.append(Event(kind=kinds.KIND, key=f"reportcard:{card.pk}:parent",
                                targets=[Target(pid, "parent", about_student_id=student.pk)
                                         for pid in parents[student.pk]],
                                params={**params, "audience": "parent"}, url=url, moment=card.parent_visible_at))
    notify_events(school=school, events=events)


@transaction.atomic
def cards_release(
    *, school: School, actor: User, roles: frozenset[str], period: Period, class_group: ClassGroup
) -> int:
    """Releases every ready card of the class: the lines are frozen, visibility set per audience.

    A card carries published results only. A and no-decision cards reach the student at the next moment in
    the school's window (never before the results they carry) and the parents after; a card that carries a
    fail is sensitive: it reaches the student inside their school hours with the class mentor (or whoever
    releases it) named to talk to. A B or C certificate waits for the conversation with the student.
    Returns how many were released.
    """
    if not permissions.can_manage_class(user=actor, roles=roles, class_group=class_group):
        raise Forbidden()
    _check_period(period, class_group)
    year_end = selectors.is_year_end(school=school, period=period)
    cards = list(
        ReportCard.objects.select_for_update(of=("self",))
        .filter(school=school, period=period, class_group=class_group, released_at__isnull=True)
        .select_related("student", "class_group__mentor", "period")
    )
    ready = [c for c in cards if selectors.state_of(c, year_end=year_end) == selectors.State.READY]
    if not ready:
        return 0
    now = clock.now()
    lines = selectors.gradebook_lines(
        school=school, period=period, class_group=class_group, student_ids=[c.student_id for c in ready]
    )
    comments = {(c.card_id, c.course_id): c.text for c in CourseComment.objects.filter(school=school, card__in=ready)}
    context = release_context(school=school, class_group_id=class_group.pk)
    frozen = []
    for card in ready:
        for position, line in enumerate(lines[card.student_id]):
            frozen.append(
                CardLine(
                    school=school,
                    card=card,
                    course_id=line.course_id,
                    position=position,
                    course_name=line.course_name,
                    teacher_name=line.teacher_name,
                    percentage=line.percentage,
                    scores=[
                        {"name": s.name, "score": s.score, "maximum": str(s.maximum), "weight": str(s.weight),
                         "category": s.category}
                        for s in line.scores
                    ],
                    comment=comments.get((card.pk, line.course_id), ""),
                )
            )
    CardLine.objects.bulk_create(frozen)
    for card in ready:
        card.released_at, card.released_by = now, actor
        card.sensitive = selectors.card_is_sensitive(
            lines=lines[card.student_id], decision=card.decision, threshold=context.row.sensitive_threshold
        )
        card.talk_to = (card.class_group.mentor or actor) if card.sensitive else None
        if card.needs_conversation:
            card.student_visible_at = card.parent_visible_at = None
        else:
            card.student_visible_at, card.parent_visible_at = _moments(
                context=context, moment=now, sensitive=card.sensitive, lines=lines[card.student_id]
            )
        card.updated_at = now
    ReportCard.objects.bulk_update(ready, ["released_at", "released_by", "sensitive", "talk_to",
                                           "student_visible_at", "parent_visible_at", "updated_at"])
    told = [card for card in ready if not card.needs_conversation]
    _notify_all(school=school, cards=told, invites={card.pk: card.sensitive for card in told})
    return len(ready)


def _conversation_card(*, school: School, actor: User, roles: frozenset[str], card_id: int) -> ReportCard:
    card = (
        ReportCard.objects.select_for_update(of=("self",))
        .filter(school=school, pk=card_id)
        .select_related("class_group", "class_group__mentor", "student", "period", "talk_to")
        .first()
    )
    if card is None or not permissions.can_manage_class(user=actor, roles=roles, class_group=card.class_group):
        raise NotFound()
    if card.released_at is None or not card.needs_conversation:
        raise Conflict(_("Only a released B or C certificate waits for a conversation."))
    return card


@transaction.atomic
def conversation_mark_held(*, school: School, actor: User, roles: frozenset[str], card_id: int) -> ReportCard:
    """The mentor talked with the student: the card is theirs to read from now when it is during their school
    hours, else from the start of their next school hours (the student heard the decision; the card itself
    does not arrive at 20:30 on a Friday). The parents' moment follows."""
    card = _conversation_card(school=school, actor=actor, roles=roles, card_id=card_id)
    if card.conversation_held_at is not None:
        raise Conflict(_("The conversation is already marked as held."))
    now = clock.now()
    card.conversation_held_at, card.conversation_held_by = now, actor
    context = release_context(school=school, class_group_id=card.class_group_id)
    readable = now
    if context.policy.lessons is not None:
        readable = next_school_hours(now, hours=context.policy.lessons, calendar=context.calendar, tz=context.tz)
    if card.student_visible_at is None or card.student_visible_at > readable:
        card.student_visible_at = readable
    _student, parents = _moments(context=context, moment=card.student_visible_at, sensitive=False)
    card.parent_visible_at = max(parents, card.student_visible_at)
    card.save()
    _notify(school=school, card=card, invite=True)
    return card


@transaction.atomic
def conversation_schedule(
    *, school: School, actor: User, roles: frozenset[str], card_id: int, at: dt.datetime
) -> ReportCard:
    """The mentor sets the moment they will be there: a school day, inside school hours, in the future."""
    card = _conversation_card(school=school, actor=actor, roles=roles, card_id=card_id)
    if card.class_group.mentor_id != actor.pk:
        raise Forbidden(_("Only the class mentor, who will be there, sets the conversation moment."))
    if card.conversation_held_at is not None:
        raise Conflict(_("The conversation is already marked as held."))
    now = clock.now()
    if card.student_visible_at is not None and card.student_visible_at <= now:
        raise Conflict(_("The student can already read this report card."))
    if at.tzinfo is None:
        raise ValueError("at must be aware")
    context = release_context(school=school, class_group_id=card.class_group_id)
    local = at.astimezone(context.tz)
    if at <= now:
        raise ValidationFailed(fields={"at": [_("Choose a moment in the future.")]})
    if not context.calendar.is_school_day(local.date()):
        raise ValidationFailed(fields={"at": [_("Choose a school day.")]})
    # The student's school hours that day: from their class's first lesson to the end of its last.
    lessons = context.policy.lessons.on(local.date(), context.calendar) if context.policy.lessons else None
    if lessons is None:
        raise ValidationFailed(fields={"at": [_("The class has no lessons that day: choose another day.")]})
    if not lessons.first_start <= local.time() < lessons.last_end:
        start, end = f"{lessons.first_start:%H:%M}", f"{lessons.last_end:%H:%M}"
        raise ValidationFailed(
            fields={
                "at": [_("Choose a moment inside school hours (%(start)s-%(end)s).") % {"start": start, "end": end}]
            }
        )
    card.conversation_at, card.conversation_set_by = at, actor
    card.student_visible_at = at
    _student, parents = _moments(context=context, moment=at, sensitive=False)
    card.parent_visible_at = max(parents, at)
    card.save()
    _notify(school=school, card=card, invite=True)
    return card
