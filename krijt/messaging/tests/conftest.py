"""Message tests: uploads in a temporary media folder, helpers to send through the pages and to grow a school."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core.roles import Role
from krijt.core.worker import run_pending_tasks
from krijt.messaging.models import Message
from tests.scenario import Scenario, test_password_hash

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


# A Tuesday morning in the scenario's school year: every audience may be reached at once.
TUESDAY_10 = local(2026, 10, 6, 10, 0)
FRIDAY_21 = local(2026, 10, 2, 21, 0)
MONDAY_07 = local(2026, 10, 5, 7, 0)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def at(time_machine: Any) -> Callable[[dt.datetime], None]:
    def _at(moment: dt.datetime) -> None:
        time_machine.move_to(moment, tick=False)

    return _at


Send = Callable[..., Message]


@pytest.fixture
def send(scenario: Scenario, login_as: Callable[..., Client]) -> Send:
    """Sends through the compose page as `role` and runs the fan-out; returns the message."""

    def _send(role: str, to: list[str], *, user: Any = None, run: bool = True, status: int = 302,
               **fields: Any) -> Message:
        client = login_as(role, user=user)
        data = {"to": to, "subject": fields.pop("subject", "Uitstap"), "body": fields.pop("body", "Beste, tot morgen."),
                **fields}
        response = client.post(scenario.url("/messages/new/"), data)
        assert response.status_code == status, response.content.decode()[:3000]
        if run:
            run_pending_tasks()
        return Message.objects.filter(school=scenario.school).order_by("-pk").first()  # type: ignore[return-value]

    return _send


def grow_school(scenario: Scenario, *, students: int, with_parents: bool = True, prefix: str = "bulk") -> list[int]:
    """Adds many students (and a parent each) in bulk; returns the new user ids."""
    password = test_password_hash()
    people = [User(username=f"{prefix}.s{i}", first_name="Bulk", last_name=f"S{i}", password=password)
              for i in range(students)]
    User.objects.bulk_create(people)
    made = list(User.objects.filter(username__startswith=f"{prefix}.s").values_list("pk", flat=True))
    Membership.objects.bulk_create([Membership(school=scenario.school, user_id=pk, role=Role.STUDENT) for pk in made])
    ids = list(made)
    if with_parents:
        parents = [User(username=f"{prefix}.p{i}", first_name="Bulk", last_name=f"P{i}", password=password,
                        email=f"p{i}@bulk.example") for i in range(students)]
        User.objects.bulk_create(parents)
        parent_ids = list(User.objects.filter(username__startswith=f"{prefix}.p").order_by("pk")
                          .values_list("pk", flat=True))
        ParentLink.objects.bulk_create([ParentLink(school=scenario.school, parent_id=p, student_id=s)
                                        for p, s in zip(parent_ids, sorted(made), strict=True)])
        ids += parent_ids
    return ids
