"""An absence nobody explained: a review for the school, one calm question for the parents in their
digest, taken back when the absence is explained; problematic absence opens follow-ups, never a verdict."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from krijt.attendance import selectors, services
from krijt.attendance.models import FollowUp, HalfDayCode, Review
from krijt.attendance.services import MarkIn, reason_key
from krijt.attendance.tests.conftest import MONDAY, TZ
from krijt.core import worker
from krijt.core.errors import NotFound
from krijt.core.roles import Role
from krijt.notifications.models import Delivery, Notification, NotificationPreference
from tests.scenario import Scenario

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("at_ten")]

TEACHER = frozenset({Role.TEACHER})
OFFICE = frozenset({Role.STAFF})
PARENT = frozenset({Role.PARENT})


def absent(s: Scenario, *indexes: int, day: dt.date = MONDAY, status: str = "absent") -> None:
    marks = [] if status == "present" else [MarkIn(s.students[i].pk, status) for i in indexes or (0,)]
    index = "-".join(map(str, indexes))
    with time_machine.travel(dt.datetime.combine(day, dt.time(10, 30), TZ), tick=False):
        services.register_take(school=s.school, actor=s.teacher, roles=TEACHER, course_id=s.courses[0].pk, day=day,
                               period=1, marks=marks, client_key=f"{day}-{index}-{status}")
        worker.run_pending_tasks()


def test_an_unexplained_absence_opens_a_review_and_one_question_in_the_parents_digest(scenario: Scenario) -> None:
    s = scenario
    child, parent = s.students[0], s.parents[0]
    NotificationPreference.objects.create(user=parent, digest=False, push=True)  # even a parent who wants each item
    absent(s)
    services.register_take(school=s.school, actor=s.teachers[1], roles=TEACHER, course_id=s.courses[1].pk, day=MONDAY,
                           period=3, marks=[MarkIn(child.pk, "absent")])  # absent again in the next lesson
    worker.run_pending_tasks()
    review = Review.objects.get()
    assert (review.student, review.day, review.closed_at) == (child, MONDAY, None)
    assert review.due_on == dt.date(2026, 10, 7)  # two school days
    notification = Notification.objects.get(recipient=parent)
    assert notification.key == reason_key(child.pk, MONDAY)
    assert notification.about_student == child
    deliveries = list(Delivery.objects.filter(notification=notification).values_list("channel", "digest"))
    assert deliveries == [("email", True)]  # in the digest only, never a push of its own
    assert not HalfDayCode.objects.exists()  # nothing is coded by Krijt


def test_a_report_later_that_day_explains_it_and_takes_the_question_back(scenario: Scenario) -> None:
    s = scenario
    absent(s)
    services.absence_report_create(school=s.school, actor=s.parents[0], roles=PARENT, student_id=s.students[0].pk,
                                   starts_on=MONDAY, ends_on=MONDAY, reason="medical")
    review = Review.objects.get()
    assert review.outcome == Review.Outcome.REPORTED
    assert not Notification.objects.filter(key=reason_key(s.students[0].pk, MONDAY)).exists()


def test_a_corrected_register_closes_the_review(scenario: Scenario) -> None:
    s = scenario
    absent(s)
    absent(s, status="present")
    assert Review.objects.get().outcome == Review.Outcome.PRESENT
    assert not Notification.objects.filter(key=reason_key(s.students[0].pk, MONDAY)).exists()


def test_a_code_closes_the_review_and_the_mentor_may_close_it_with_a_note(scenario: Scenario) -> None:
    s = scenario
    absent(s, 0, 1)
    services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[0].pk,
                            halves=[(MONDAY, "am")], code="Z", basis="medical")
    coded = Review.objects.get(student=s.students[0])
    assert coded.outcome == Review.Outcome.CODED
    other = Review.objects.get(student=s.students[1])
    mentor = s.classes[0].mentor
    assert mentor is not None
    assert [r.pk for r in selectors.open_reviews(school=s.school, user=mentor, roles=TEACHER)] == [other.pk]
    with pytest.raises(NotFound):
        services.review_close(school=s.school, actor=s.teachers[1], roles=TEACHER, review_id=other.pk, note="x")
    services.review_close(school=s.school, actor=mentor, roles=TEACHER, review_id=other.pk,
                          note="Was at the dentist; the note follows.")
    other.refresh_from_db()
    assert (other.outcome, other.closed_by) == (Review.Outcome.EXPLAINED, mentor)
    assert not HalfDayCode.objects.filter(student=s.students[1]).exists()  # the code is still the office's call


def test_an_adult_student_who_keeps_attendance_private_gets_no_question_to_the_parents(scenario: Scenario) -> None:
    s = scenario
    adult = s.students[0]
    adult.birth_date = dt.date(2007, 5, 1)
    adult.save(update_fields=["birth_date"])
    services.sharing_update(school=s.school, student=adult, parents_may_see=False)
    absent(s)
    assert Review.objects.filter(student=adult).exists()
    assert not Notification.objects.filter(recipient=s.parents[0]).exists()


def test_problematic_half_days_open_a_contact_task_then_a_care_case(scenario: Scenario) -> None:
    s = scenario
    days = [MONDAY + dt.timedelta(days=n) for n in (0, 1, 2, 3, 4)]
    for day in days:
        absent(s, day=day)
    mentor = s.classes[0].mentor
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 0, tzinfo=TZ), tick=False):
        services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[0].pk,
                                halves=[(days[0], "am")], code="B")
        contact = FollowUp.objects.get()
        assert (contact.kind, contact.problematic_halves) == (FollowUp.Kind.CONTACT, 1)
        assert Notification.objects.filter(recipient=mentor, kind="attendance_followup").count() == 1
        services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[0].pk,
                                halves=[(d, "am") for d in days[1:4]], code="B")
        assert not FollowUp.objects.filter(kind=FollowUp.Kind.CARE).exists()  # four: not yet
        services.half_days_code(school=s.school, actor=s.staff, roles=OFFICE, student_id=s.students[0].pk,
                                halves=[(days[4], "am")], code="B")
    care = FollowUp.objects.get(kind=FollowUp.Kind.CARE)
    assert care.problematic_halves == 5
    assert Notification.objects.filter(recipient=s.staff, kind="attendance_followup").count() == 1
    assert FollowUp.objects.count() == 2  # each opens once
    updated = services.follow_up_update(school=s.school, actor=s.staff, roles=OFFICE, follow_up_id=care.pk,
                                        done="Gesprek met leerling", contacts="Moeder, 12/10", agreements="Dagelijks",
                                        share_with_clb=True)
    assert updated.shared_with_clb_at is not None
    with pytest.raises(NotFound):
        services.follow_up_update(school=s.school, actor=s.teachers[1], roles=TEACHER, follow_up_id=care.pk, done="",
                                  contacts="", agreements="")


def test_an_adult_student_saying_no_takes_back_the_question_still_waiting_for_the_parents(
    scenario: Scenario,
) -> None:
    s = scenario
    adult = s.students[0]
    adult.birth_date = dt.date(2007, 5, 1)
    adult.save(update_fields=["birth_date"])
    absent(s)
    assert Notification.objects.filter(recipient=s.parents[0], kind="attendance_reason").exists()
    services.sharing_update(school=s.school, student=adult, parents_may_see=False)
    assert not Notification.objects.filter(recipient=s.parents[0], kind="attendance_reason").exists()
    assert not Delivery.objects.filter(recipient=s.parents[0]).exists()
