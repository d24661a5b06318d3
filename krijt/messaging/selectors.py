"""Reads for messages. Every read of a received message filters visible_at <= now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from krijt.accounts.models import Membership, ParentLink, User
from krijt.core import clock
from krijt.core.errors import NotFound
from krijt.core.roles import STAFF_ROLES, Role
from krijt.messaging.models import Attachment, Message, MessageRecipient, MessagingPolicy
from krijt.messaging.permissions import Reach
from krijt.schools.models import School

PAGE_SIZE = 25
PICKER_LIMIT = 8
SEARCH_MIN = 2


def policy_for(*, school: School) -> MessagingPolicy:
    """The school's messaging policy; the defaults (unsaved) while the school has not changed them."""
    return MessagingPolicy.objects.filter(school=school).first() or MessagingPolicy(school=school)


def unread_count(*, school: School, user: User) -> int:
    return MessageRecipient.objects.filter(
        school=school, user=user, read_at__isnull=True, archived_at__isnull=True, visible_at__lte=clock.now()
    ).count()


def _with_attachments(qs: QuerySet[Any], ref: str) -> QuerySet[Any]:
    return qs.annotate(has_attachments=Exists(Attachment.objects.filter(message_id=OuterRef(ref))))


def _search(qs: QuerySet[Any], q: str, prefix: str = "") -> QuerySet[Any]:
    q = " ".join((q or "").split())[:100]
    if not q:
        return qs
    return qs.filter(Q(**{f"{prefix}subject__icontains": q}) | Q(**{f"{prefix}body_text__icontains": q}))


def _received(*, school: School, user: User, archived: bool, q: str = "") -> QuerySet[MessageRecipient]:
    qs: QuerySet[Any] = MessageRecipient.objects.filter(
        school=school, user=user, visible_at__lte=clock.now(), archived_at__isnull=not archived
    )
    qs = _search(qs, q, "message__")
    qs = qs.select_related("message", "message__sender").order_by("-visible_at", "-pk")
    return _with_attachments(qs, "message_id")


class _Sender:
    def __init__(self, name: str) -> None:
        self.full_name = self.username = name


class _Message:
    def __init__(self, row: dict[str, Any]) -> None:
        self.pk = self.id = row["message_id"]
        self.subject = row["subject"]
        self.body_text = row["body_text"]
        self.urgent = row["urgent"]
        self.sender = _Sender(row["sender_name"])


class _Received:
    """A cached inbox row as the folder template reads a MessageRecipient."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.message = _Message(row)
        self.visible_at = row["visible_at"]
        self.read_at = row["visible_at"] if row["read"] else None
        self.has_attachments = row["has_attachments"]


class _FirstPage(Sequence[Any]):
    """The rows of the first page, counted as every visible row: what Paginator needs for page one."""

    def __init__(self, rows: list[_Received], count: int) -> None:
        self.rows, self.total = rows, count

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]


def inbox_first_page(*, school: School, user: User) -> tuple[Page[Any], int] | None:
    """The inbox's first page (and the unread count) from the cached part, as `inbox_page` would read them
    from the database; None when the part cannot answer (very many messages held back)."""
    from krijt.core.parts import fetch
    from krijt.messaging.parts import inbox_first_page as part

    (found,) = fetch([part(school, user.pk, PAGE_SIZE)])
    if not found["complete"]:
        return None
    now = clock.now()
    held = sum(1 for r in found["rows"] if r["visible_at"] > now)
    rows = [_Received(r) for r in found["rows"] if r["visible_at"] <= now][:PAGE_SIZE]
    unread = sum(1 for at in found["unread_at"] if at <= now)
    page = Paginator(_FirstPage(rows, found["total"] - held), PAGE_SIZE).get_page(1)
    return page, unread


def inbox_page(*, school: School, user: User, page: Any = 1, q: str = "") -> Page[Any]:
    """Received, visible, not archived, newest first: two queries (count and page)."""
    return Paginator(_received(school=school, user=user, archived=False, q=q), PAGE_SIZE).get_page(page)


def archive_page(*, school: School, user: User, page: Any = 1, q: str = "") -> Page[Any]:
    return Paginator(_received(school=school, user=user, archived=True, q=q), PAGE_SIZE).get_page(page)


def _sent(*, school: School, user: User, q: str = "") -> QuerySet[Message]:
    qs = Message.objects.filter(school=school, sender=user, cancelled_at__isnull=True)
    return _with_attachments(_search(qs, q), "pk")


def sent_page(*, school: School, user: User, page: Any = 1, q: str = "") -> Page[Any]:
    qs = _sent(school=school, user=user, q=q).filter(send_at__lte=clock.now()).order_by("-send_at", "-pk")
    return Paginator(qs, PAGE_SIZE).get_page(page)


def scheduled_page(*, school: School, user: User, page: Any = 1, q: str = "") -> Page[Any]:
    qs = _sent(school=school, user=user, q=q).filter(send_at__gt=clock.now()).order_by("send_at", "pk")
    return Paginator(qs, PAGE_SIZE).get_page(page)


def search_page(*, school: School, user: User, q: str, page: Any = 1) -> Page[Any]:
    """Messages the person sent or received (and may see now) whose subject or text holds `q`."""
    mine = MessageRecipient.objects.filter(
        school=school, user=user, message_id=OuterRef("pk"), visible_at__lte=clock.now()
    )
    qs: QuerySet[Any] = Message.objects.filter(school=school, cancelled_at__isnull=True).filter(
        Q(sender=user, send_at__lte=clock.now()) | Exists(mine)
    )
    qs = _with_attachments(_search(qs, q), "pk").select_related("sender").order_by("-send_at", "-pk")
    if not " ".join((q or "").split()):
        qs = qs.none()
    return Paginator(qs, PAGE_SIZE).get_page(page)


def _readable(*, school: School, user: User) -> Q:
    mine = MessageRecipient.objects.filter(
        school=school, user=user, message_id=OuterRef("pk"), visible_at__lte=clock.now()
    )
    return Q(sender=user) | Q(Exists(mine))


def message_for_reader(*, school: School, user: User, message_id: int) -> Message:
    """A message its sender wrote, or a visible one addressed to `user`; anything else is not found."""
    message = (
        Message.objects.filter(school=school, pk=message_id, cancelled_at__isnull=True)
        .filter(_readable(school=school, user=user))
        .select_related("thread", "sender")
        .first()
    )
    if message is None:
        raise NotFound()
    return message


@dataclass
class ThreadView:
    anchor: Message
    messages: list[Message]
    archived: bool
    unread_ids: set[int]


def thread_for_reader(*, school: School, user: User, message_id: int) -> ThreadView:
    """The conversation around a message: what `user` wrote or may see in it, oldest first.

    Four queries whatever its length: the anchor, the messages (with my recipient row), attachments.
    """
    anchor = message_for_reader(school=school, user=user, message_id=message_id)
    mine = MessageRecipient.objects.filter(school=school, user=user, visible_at__lte=clock.now())
    messages = list(
        Message.objects.filter(school=school, thread_id=anchor.thread_id, cancelled_at__isnull=True)
        .filter(_readable(school=school, user=user))
        .select_related("sender")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.filter(school=school).order_by("pk")),
            Prefetch("recipients", queryset=mine, to_attr="my_rows"),
        )
        .order_by("send_at", "pk")
    )
    rows = [row for m in messages for row in m.my_rows]  # type: ignore[attr-defined]
    return ThreadView(
        anchor=anchor,
        messages=messages,
        archived=bool(rows) and all(row.archived_at is not None for row in rows),
        unread_ids={row.message_id for row in rows if row.read_at is None},
    )


def delivery_summary(*, message: Message, limit: int = 6) -> list[tuple[dt.datetime, int]]:
    """When the recipients see the message: [(moment, how many)], earliest first; one query."""
    rows = (
        MessageRecipient.objects.filter(school_id=message.school_id, message=message)
        .values("visible_at")
        .annotate(n=Count("pk"))
        .order_by("visible_at")[:limit]
    )
    return [(r["visible_at"], r["n"]) for r in rows]


def delivery_summaries(*, school: School, messages: list[Message]) -> dict[int, list[tuple[dt.datetime, int]]]:
    """delivery_summary for several messages at once: one query (none without messages)."""
    if not messages:
        return {}
    rows = (
        MessageRecipient.objects.filter(school=school, message_id__in=[m.pk for m in messages])
        .values("message_id", "visible_at")
        .annotate(n=Count("pk"))
        .order_by("message_id", "visible_at")
    )
    result: dict[int, list[tuple[dt.datetime, int]]] = {}
    for r in rows:
        result.setdefault(r["message_id"], []).append((r["visible_at"], r["n"]))
    return result


def own_scheduled(*, school: School, user: User, message_id: int) -> Message:
    message = Message.objects.filter(
        school=school, pk=message_id, sender=user, cancelled_at__isnull=True, send_at__gt=clock.now()
    ).first()
    if message is None:
        raise NotFound()
    return message


def own_message(*, school: School, user: User, message_id: int) -> Message:
    message = Message.objects.filter(school=school, pk=message_id, sender=user).first()
    if message is None:
        raise NotFound()
    return message


def attachment_for_reader(*, school: School, user: User, attachment_id: int) -> Attachment:
    mine = MessageRecipient.objects.filter(
        school=school, user=user, message_id=OuterRef("message_id"), visible_at__lte=clock.now()
    )
    attachment = (
        Attachment.objects.filter(school=school, pk=attachment_id, message__cancelled_at__isnull=True)
        .filter(Q(message__sender=user) | Q(Exists(mine)))
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


# ---------------------------------------------------------------- recipient picker


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    detail: str


def _role_detail(user: Any) -> str:
    if user.staff_role:
        return {Role.ADMIN: _("Administrator"), Role.STAFF: _("Staff")}.get(user.staff_role, _("Teacher"))
    if user.is_student:
        return _("Student")
    return _("Parent")


def picker_options(*, school: School, sender: User, reach: Reach, q: str) -> list[Option]:
    """What the recipient field offers for `q`: at most a few people, classes and courses.

    A fixed number of queries per keystroke (at most four) and a limited number of results.
    """
    from krijt.messaging import audiences
    from krijt.schools.selectors import current_school_year

    q = " ".join((q or "").split())[:60]
    if len(q) < SEARCH_MIN or (not reach.anyone and not reach.school):
        return []
    options: list[Option] = []
    lowered = q.lower()
    if reach.school and lowered in _("The whole school").lower():
        options.append(Option("school", _("The whole school"), _("Everyone, with parents")))
    if reach.teachers and lowered in _("All teachers").lower():
        options.append(Option("teachers", _("All teachers"), _("Group")))
    year = current_school_year(school=school)
    staff_role = Membership.objects.filter(school=school, user=OuterRef("pk"), role__in=STAFF_ROLES)
    people = (
        audiences.reachable_people(school=school, sender=sender, reach=reach, year=year)
        .annotate(full=Concat("first_name", Value(" "), "last_name"))
        .filter(Q(full__icontains=q) | Q(last_name__icontains=q) | Q(username__icontains=q))
        .annotate(
            staff_role=staff_role.order_by("role").values("role")[:1],
            is_student=Exists(Membership.objects.filter(school=school, user=OuterRef("pk"), role=Role.STUDENT)),
            is_parent=Exists(ParentLink.objects.filter(school=school, parent=OuterRef("pk"))),
        )
        .order_by("last_name", "first_name", "pk")[:PICKER_LIMIT]
    )
    options += [Option(f"user:{u.pk}", u.full_name or u.username, _role_detail(u)) for u in people]
    classes = (
        audiences.reachable_classes(school=school, sender=sender, reach=reach, year=year)
        .filter(name__icontains=q)
        .order_by("grade", "name")[:4]
    )
    for group in classes:
        options.append(Option(f"class:{group.pk}", group.name, _("Class: its students")))
        options.append(Option(f"parents:{group.pk}", _("Parents of %(class)s") % {"class": group.name},
                              _("Class: the parents")))
    courses = (
        audiences.reachable_courses(school=school, sender=sender, reach=reach, year=year)
        .filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(class_group__name__icontains=q))
        .select_related("class_group")
        .order_by("class_group__name", "name")[:4]
    )
    options += [
        Option(f"course:{c.pk}", f"{c.name} ({c.class_group.name})", _("Course: its students")) for c in courses
    ]
    return options
