"""The help pages: for each role, the humane rules in plain words, with the values the school has set."""

from __future__ import annotations

from typing import Any

from krijt.attendance.selectors import settings_for as attendance_settings
from krijt.core.roles import Role
from krijt.notifications.selectors import policy_for
from krijt.planner.selectors import workload_policy
from krijt.results.selectors import results_policy_row
from krijt.schools.models import School

TOPICS = ("student", "parent", "teacher", "staff")


def topic_for(roles: frozenset[str]) -> str:
    """The help a person sees first: the one of their role (a teacher who is also a parent: the teacher's)."""
    if Role.STUDENT in roles:
        return "student"
    if Role.TEACHER in roles:
        return "teacher"
    if roles & {Role.ADMIN, Role.STAFF}:
        return "staff"
    return "parent"


def school_rules(*, school: School) -> dict[str, Any]:
    """The school's settings that the help explains, read through the selectors that apply them."""
    delivery = policy_for(school=school)
    workload = workload_policy(school=school)
    results = results_policy_row(school=school)
    attendance = attendance_settings(school=school)
    return {
        "statement_days": attendance.parent_statement_days,
        "statement_times": attendance.parent_statement_times,
        "contact_from": attendance.contact_parents_from,
        "care_from": attendance.care_case_from,
        "review_days": attendance.review_school_days,
        "student_quiet": delivery.student,
        "parent_quiet": delivery.parent,
        "staff_quiet": delivery.staff,
        "digest_time": delivery.digest_time,
        "push_budget": delivery.push_budget,
        "tests_per_day": workload.max_tests_per_day,
        "tests_per_week": workload.max_tests_per_week,
        "notice_days": workload.min_notice_days,
        "evening_cutoff": workload.evening_cutoff,
        "morning_start": workload.morning_start,
        "window_start": results.window_start,
        "window_end": results.window_end,
        "parent_delay": results.parent_delay_hours,
        "threshold": results.sensitive_threshold,
    }
