"""Planner pages. Thin: permissions, parsing, a service or selector call, a template."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as django_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from krijt.accounts.selectors import child_of_parent, children_in_school, roles_in_school
from krijt.core import clock, days
from krijt.core.downloads import stored_file_response
from krijt.core.errors import Forbidden, NotFound, ValidationFailed
from krijt.core.forms import show_error
from krijt.core.parts import fetch
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import Role
from krijt.ops.degraded import snapshot_page
from krijt.planner import extensions, rules, selectors, services
from krijt.planner import parts as planner_parts
from krijt.planner.feeds import planner_calendar
from krijt.planner.forms import ItemForm, PolicyForm
from krijt.planner.models import PlannerItem
from krijt.planner.permissions import (
    EVERYONE,
    PLAN_ROLES,
    SETTINGS_ROLES,
    WORKLOAD_ROLES,
    can_edit_item,
    can_override_block,
    sees_all,
)
from krijt.schools import parts as school_parts
from krijt.schools.models import Course
from krijt.schools.paths import school_path
from krijt.schools.selectors import (
    class_for_user,
    current_school_year,
    lesson_periods,
    school_calendar,
    week_timetable,
)

WORKLOAD_WEEKS = 4


def _today(request: HttpRequest) -> dt.date:
    return clock.local_today(_school(request).time_zone)


def _date_param(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    return days.day_param(request.GET.get(name), name, default)


def _week(request: HttpRequest) -> dt.date:
    return rules.week_start(_date_param(request, "week", _today(request)))


def _week_nav(monday: dt.date) -> dict[str, Any]:
    return {
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "prev_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
    }


def _school_days_only(columns: list[selectors.DayColumn]) -> list[selectors.DayColumn]:
    """Weekends and holidays only take room when something is due on them."""
    return [c for c in columns if c.school_day or c.items]


@snapshot_page
@school_view(roles=EVERYONE)
def home(request: HttpRequest) -> HttpResponse:
    roles = _roles(request)
    if Role.TEACHER in roles:
        return redirect("planner:teacher")
    if roles & {Role.ADMIN, Role.STAFF}:
        return redirect("planner:workload")
    if Role.STUDENT in roles:
        return redirect("planner:mine")
    children = list(children_in_school(school=_school(request), parent=_user(request)))
    if children:
        return redirect("planner:child", student_id=children[0].pk)
    raise NotFound()


def _student_week(request: HttpRequest, student: Any, *, own: bool) -> dict[str, Any]:
    """A student's week from the cached parts Today uses too: their class, its items, their done marks."""
    school = _school(request)
    monday = _week(request)
    sunday = monday + dt.timedelta(days=6)
    now = clock.now()
    (place,) = fetch([school_parts.student_place(school, student.pk, _today(request))])
    group = None
    items: list[Any] = []
    if place is not None:
        group = planner_parts.ClassRef(place["class_id"], place["class_name"])
        wanted = [planner_parts.class_items(school, place["class_id"], monday, sunday)]
        if own:
            wanted.append(planner_parts.done_ids(school, student.pk, monday, sunday))
        found = fetch(wanted)
        done = set(found[1]) if own else set()
        items = [planner_parts.ItemView(d, done=d["id"] in done)
                 for d in planner_parts.visible_to_students(found[0], now)]
    columns = selectors.group_by_day(items, start=monday, days=7, calendar=school_calendar(school=school))
    return {"class_group": group, "columns": _school_days_only(columns), "today": _today(request), **_week_nav(monday)}


@snapshot_page
@school_view(roles={Role.STUDENT})
def mine(request: HttpRequest) -> HttpResponse:
    context = _student_week(request, _user(request), own=True)
    return render(request, "planner/student_week.html", {**context, "own": True, "title": _("My planner")})


@snapshot_page
@school_view(roles={Role.PARENT})
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    school = _school(request)
    student = child_of_parent(school=school, parent=_user(request), student_id=student_id)
    context = _student_week(request, student, own=False)
    children = list(children_in_school(school=school, parent=_user(request)))
    return render(
        request,
        "planner/student_week.html",
        {**context, "own": False, "child": student, "children": children, "title": student.full_name},
    )


@snapshot_page
@school_view(roles={Role.TEACHER})
def teacher(request: HttpRequest) -> HttpResponse:
    """The teacher's classes and their week, from the cached parts (the teacher's classes, each class's
    items): a warm page reads no planner or school table. Teachers see items before students do."""
    school = _school(request)
    monday = _week(request)
    sunday = monday + dt.timedelta(days=6)
    (mine,) = fetch([school_parts.teacher_classes(school, _user(request), _today(request))])
    classes = [planner_parts.ClassRef(c["id"], c["name"]) for c in mine]
    names = {c.pk: c.name for c in classes}
    found = fetch([planner_parts.class_items(school, c.pk, monday, sunday) for c in classes]) if classes else []
    items: list[Any] = planner_parts.in_page_order(
        [planner_parts.ItemView(d, class_name=names[d["class_id"]]) for part in found for d in part])
    columns = selectors.group_by_day(items, start=monday, days=7, calendar=school_calendar(school=school))
    mentor_of = [c for c in mine if c["mentor"]]
    return render(
        request,
        "planner/teacher_week.html",
        {"classes": classes, "columns": _school_days_only(columns), "mentor_of": mentor_of, **_week_nav(monday)},
    )


def _class(request: HttpRequest, class_id: int) -> Any:
    return class_for_user(
        school=_school(request),
        user=_user(request),
        roles=_roles(request),
        class_id=class_id,
    )


def _students_only(roles: frozenset[str]) -> bool:
    return not roles & {Role.TEACHER, Role.STAFF, Role.ADMIN}


@snapshot_page
@school_view(roles={Role.TEACHER, Role.STAFF, Role.ADMIN, Role.STUDENT})
def class_week(request: HttpRequest, class_id: int) -> HttpResponse:
    school = _school(request)
    group = _class(request, class_id)
    monday = _week(request)
    items = selectors.items_for_classes(
        school=school,
        class_ids=[group.pk],
        start=monday,
        end=monday + dt.timedelta(days=6),
        visible_only=_students_only(_roles(request)),
    )
    slots = week_timetable(school=school, school_year=group.school_year, class_group=group)
    columns = selectors.group_by_day(items, start=monday, days=7, calendar=school_calendar(school=school), slots=slots)
    return render(
        request,
        "planner/class_week.html",
        {
            "class_group": group,
            "columns": _school_days_only(columns),
            "can_plan": bool(_roles(request) & PLAN_ROLES),
            **_week_nav(monday),
        },
    )


@snapshot_page
@school_view(roles={Role.TEACHER, Role.STAFF, Role.ADMIN, Role.STUDENT})
def class_month(request: HttpRequest, class_id: int) -> HttpResponse:
    school = _school(request)
    group = _class(request, class_id)
    today = _today(request)
    first = days.day_param(request.GET.get("month", "") + "-01", "month", today).replace(day=1)
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    start = rules.week_start(first)
    span = ((last - start).days // 7 + 1) * 7
    items = selectors.items_for_classes(
        school=school,
        class_ids=[group.pk],
        start=start,
        end=start + dt.timedelta(days=span - 1),
        visible_only=_students_only(_roles(request)),
    )
    columns = selectors.group_by_day(items, start=start, days=span, calendar=school_calendar(school=school))
    weeks = [columns[i : i + 7] for i in range(0, span, 7)]
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(
        request,
        "planner/class_month.html",
        {
            "class_group": group,
            "weeks": weeks,
            "first": first,
            "today": today,
            "prev_month": prev_month,
            "next_month": next_month,
            "weekday_names": columns[:7],
        },
    )


def _plannable_courses(request: HttpRequest) -> Any:
    school = _school(request)
    year = current_school_year(school=school)
    qs = Course.objects.filter(school=school, school_year=year).select_related("class_group")
    if Role.ADMIN not in _roles(request):
        qs = qs.filter(teacher=_user(request))
    return qs.order_by("class_group__grade", "class_group__name", "name")


def _load_context(
    request: HttpRequest, *, course: Course | None, kind: str, due: dt.date | None, item: PlannerItem | None
) -> dict[str, Any]:
    """The chosen week's load for the class and what the rules say, shown before saving."""
    school = _school(request)
    if course is None or due is None:
        return {"ready": False}
    group = course.class_group
    monday = rules.week_start(due)
    items = [
        i
        for i in selectors.items_for_classes(
            school=school, class_ids=[group.pk], start=monday, end=monday + dt.timedelta(days=6)
        )
        if item is None or i.pk != item.pk
    ]
    calendar = school_calendar(school=school)
    policy = selectors.workload_policy(school=school)
    candidate = rules.ItemFacts(
        id=item.pk if item else None,
        kind=kind,
        title="",
        course=course.name,
        due_date=due,
        original_kind=item.kind if item else None,
        original_due_date=item.due_date if item else None,
    )
    findings = rules.check(
        candidate=candidate,
        items=[selectors.facts(i) for i in items],
        policy=policy,
        calendar=calendar,
        now=clock.now(),
        tz=ZoneInfo(school.time_zone),
    )
    blocking = any(f.blocks for f in findings)
    may_override = can_override_block(roles=_roles(request), policy=policy)
    columns = selectors.group_by_day(items, start=monday, days=7, calendar=calendar)
    return {
        "ready": True,
        "class_group": group,
        "due": due,
        "columns": _school_days_only(columns),
        "findings": findings,
        "blocking": blocking,
        "can_override": bool(findings) and (not blocking or may_override),
        "week_tests": sum(c.tests for c in columns),
        "week_minutes": sum(c.minutes for c in columns),
    }


def _form_load(request: HttpRequest, data: Any, item: PlannerItem | None) -> dict[str, Any]:
    course = item.course if item else None
    if course is None:
        try:
            course = _plannable_courses(request).filter(pk=int(data.get("course", ""))).first()
        except ValueError:
            course = None
    try:
        due = days.checked(dt.date.fromisoformat(data.get("due_date", "")), "due_date")
    except (ValueError, ValidationFailed):
        due = None
    kind = data.get("kind", PlannerItem.Kind.TASK)
    return _load_context(request, course=course, kind=kind, due=due, item=item)


@school_view(roles=PLAN_ROLES)
@require_POST
def item_check(request: HttpRequest) -> HttpResponse:
    item = None
    if request.POST.get("item_id"):
        try:
            item_id = int(request.POST["item_id"])
        except ValueError as error:
            raise ValidationFailed(fields={"item_id": [_("Not valid.")]}) from error
        item = _editable_item(request, item_id)
    return render(request, "planner/_load.html", {"load": _form_load(request, request.POST, item)})


def _editable_item(request: HttpRequest, item_id: int) -> PlannerItem:
    item = selectors.item_for_user(
        school=_school(request),
        user=_user(request),
        roles=_roles(request),
        item_id=item_id,
    )
    if not can_edit_item(user=_user(request), roles=_roles(request), item=item):
        raise Forbidden()
    return item


def _item_form_page(request: HttpRequest, item: PlannerItem | None) -> HttpResponse:
    school = _school(request)
    roles = _roles(request)
    courses = _plannable_courses(request)
    periods = lesson_periods(school=school)
    if item is not None:
        initial = {
            "course": item.course_id,
            "kind": item.kind,
            "title": item.title,
            "description": item.description,
            "due_date": item.due_date,
            "lesson_period": item.lesson_period_id,
            "minutes": item.minutes,
        }
        courses = Course.objects.filter(school=school, pk=item.course_id).select_related("class_group")
    else:
        initial = {"due_date": _date_param(request, "date", _today(request))}
        if request.GET.get("course"):
            initial["course"] = request.GET["course"]
    if request.method == "POST":
        form = ItemForm(
            request.POST,
            request.FILES,
            courses=courses,
            lesson_periods=periods,
            editing=item is not None,
            initial=initial,
        )
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "kind": data["kind"],
                "title": data["title"],
                "description": data["description"],
                "due_date": data["due_date"],
                "lesson_period": data["lesson_period"],
                "minutes": data["minutes"],
                "files": data["files"],
                "override_reason": data["override_reason"] if "override" in request.POST else "",
            }
            try:
                if item is None:
                    saved = services.item_plan(
                        school=school,
                        actor=_user(request),
                        roles=roles,
                        course=data["course"],
                        **fields,
                    )
                else:
                    saved = services.item_update(school=school, actor=_user(request), roles=roles, item=item, **fields)
            except (services.WorkloadWarning, services.WorkloadBlocked) as error:
                if "override" in request.POST and not data["override_reason"].strip():
                    form.add_error("override_reason", _("Give a reason to plan anyway."))
                else:
                    form.add_error(None, error.message)
            except ValidationFailed as error:
                show_error(form, error)
            else:
                params = {"title": saved.title, "date": formats.date_format(saved.due_date, "l j F")}
                django_messages.success(request, (_("%(title)s is planned for %(date)s.") if item is None
                                                  else _("%(title)s is saved (%(date)s).")) % params)
                return redirect(
                    reverse("planner:class_week", args=[saved.class_group_id]) + f"?week={saved.due_date:%Y-%m-%d}"
                )
    else:
        form = ItemForm(courses=courses, lesson_periods=periods, editing=item is not None, initial=initial)
    values = (
        request.POST
        if request.method == "POST"
        else {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in initial.items() if v is not None}
    )
    load = _form_load(request, values, item)
    return render(request, "planner/item_form.html", {"form": form, "item": item, "load": load})


@school_view(roles=PLAN_ROLES)
def item_new(request: HttpRequest) -> HttpResponse:
    return _item_form_page(request, None)


@school_view(roles=PLAN_ROLES)
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_form_page(request, _editable_item(request, item_id))


@school_view(roles=EVERYONE)
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    school = _school(request)
    roles = _roles(request)
    item = selectors.item_for_user(school=school, user=_user(request), roles=roles, item_id=item_id)
    attachments = list(item.attachments.filter(school=school))
    is_student = Role.STUDENT in roles and not roles & {Role.TEACHER, Role.ADMIN, Role.STAFF}
    done = bool(is_student and selectors.done_ids(school=school, student=_user(request), item_ids=[item.pk]))
    return render(
        request,
        "planner/item_detail.html",
        {
            "item": item,
            "attachments": attachments,
            "can_edit": can_edit_item(user=_user(request), roles=roles, item=item),
            "links": extensions.item_links(user=_user(request), roles=roles, item=item),
            "is_student": is_student,
            "done": done,
        },
    )


@school_view(roles=PLAN_ROLES)
def item_cancel(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _editable_item(request, item_id)
    if request.method == "POST":
        services.item_cancel(school=_school(request), actor=_user(request), roles=_roles(request), item=item)
        django_messages.success(request, _("%(title)s is cancelled; the class sees it in the planner.")
                                % {"title": item.title})
        return redirect(reverse("planner:class_week", args=[item.class_group_id]) + f"?week={item.due_date:%Y-%m-%d}")
    return render(request, "planner/item_cancel.html", {"item": item})


@school_view(roles={Role.STUDENT})
@require_POST
def item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    school = _school(request)
    item = selectors.item_for_user(school=school, user=_user(request), roles=_roles(request), item_id=item_id)
    done = request.POST.get("done") == "1"
    services.done_mark_set(school=school, student=_user(request), item=item, done=done)
    if request.headers.get("HX-Request"):
        item.is_done = done  # type: ignore[attr-defined]
        return render(request, "planner/_done.html", {"item": item})
    return redirect(reverse("planner:mine") + f"?week={item.due_date:%Y-%m-%d}")


@school_view(roles=EVERYONE)
def attachment(request: HttpRequest, item_id: int, attachment_id: int) -> HttpResponse:
    found = selectors.attachment_for_user(
        school=_school(request),
        user=_user(request),
        roles=_roles(request),
        item_id=item_id,
        attachment_id=attachment_id,
    )
    return stored_file_response(found.file, filename=found.name)  # type: ignore[return-value]


def _heat_cells_html(cells: list[selectors.HeatCell]) -> str:
    """One row of the heatmap. Built in Python: a school has thousands of cells, a template per cell is slow."""
    parts = []
    for c in cells:
        css = f"heat-{c.level}" + ("" if c.school_day else " closed") + (" overridden" if c.overrides else "")
        if c.tests or c.tasks:
            inner = format_html(
                '<span aria-hidden="true">{}/{}/{}</span><span class="sr-only">{}</span>',
                c.tests,
                c.tasks,
                c.minutes,
                c.label,
            )
        else:
            inner = format_html('<span class="muted">{}</span>', "·")
        if c.overrides:
            reason = "; ".join(c.overrides)
            # A focusable mark: the reason shows on hover and on keyboard focus, and is its accessible name.
            inner = format_html(
                '{}<span class="ov-mark" tabindex="0" role="img" aria-label="{}" data-reason="{}" title="{}">!</span>',
                inner,
                _("Workload rule overridden: %(reason)s") % {"reason": reason},
                reason,
                reason,
            )
        parts.append(format_html('<td class="{}">{}</td>', css, inner))
    return format_html_join("", "{}", ((p,) for p in parts))


@school_view(roles=WORKLOAD_ROLES)
def workload(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    roles = _roles(request)
    year = current_school_year(school=school)
    classes = (
        selectors.workload_classes(school=school, user=_user(request), roles=roles, school_year=year) if year else []
    )
    if not classes and not sees_all(roles):
        raise Forbidden(_("The workload view is for class mentors, the care coordinator and administrators."))
    monday = rules.week_start(_date_param(request, "start", _today(request)))
    calendar = school_calendar(school=school)
    rows = selectors.heatmap(school=school, classes=classes, start=monday, days=WORKLOAD_WEEKS * 7, calendar=calendar)
    weekdays = set(school.weekdays)
    keep = [i for i in range(WORKLOAD_WEEKS * 7) if (monday + dt.timedelta(days=i)).isoweekday() in weekdays]
    days = [monday + dt.timedelta(days=i) for i in keep]
    table = [(group, _heat_cells_html([cells[i] for i in keep])) for group, cells in rows]
    override_list = selectors.overrides(school=school, classes=None if sees_all(roles) else classes)
    for entry in override_list:
        entry.messages = [rules.finding_message(f["rule"], f["params"]) for f in entry.findings]  # type: ignore[attr-defined]
    return render(
        request,
        "planner/workload.html",
        {
            "days": days,
            "table": table,
            "overrides": override_list,
            "monday": monday,
            "prev": monday - dt.timedelta(days=7 * WORKLOAD_WEEKS),
            "next": monday + dt.timedelta(days=7 * WORKLOAD_WEEKS),
            "weeks": WORKLOAD_WEEKS,
        },
    )


@school_view(roles=SETTINGS_ROLES)
def policy_settings(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    policy = selectors.workload_policy(school=school)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.workload_policy_update(
                school=school,
                actor=_user(request),
                roles=_roles(request),
                values=form.cleaned_data,
            )
        except ValidationFailed as error:
            show_error(form, error)
        else:
            django_messages.success(request, _("The workload rules were saved."))
            return redirect("planner:settings")
    return render(request, "planner/settings.html", {"form": form})


@school_view(roles=EVERYONE)
def feed_settings(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(school=school, user=_user(request))
        else:
            token = services.feed_token_regenerate(school=school, user=_user(request))
            new_url = request.build_absolute_uri(reverse("planner:feed", args=[token]))
    existing = selectors.feed_token(school=school, user=_user(request))
    return render(request, "planner/feed_settings.html", {"token": existing, "new_url": new_url})


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """Outside sign-in: the secret address is the key. Unknown or revoked addresses are a plain 404."""
    school = _school(request)
    found = selectors.feed_owner(school=school, token_hash=services.hash_feed_token(token))
    if found is None:
        raise NotFound()
    user = found.user
    if not user.is_active:
        raise NotFound()
    roles = roles_in_school(school=school, user=user)
    today = clock.local_today(school.time_zone)
    items = list(
        selectors.visible_items(school=school, user=user, roles=roles)
        .filter(
            due_date__gte=today - dt.timedelta(days=60),
            due_date__lte=today + dt.timedelta(days=366),
            state=PlannerItem.State.PLANNED,
        )
        .select_related("course", "lesson_period")
        .order_by("due_date", "pk")[:2000]
    )
    services.feed_token_touch(token=found)
    host = request.get_host().split(":")[0] or "krijt"

    def absolute(path: str) -> str:
        return request.build_absolute_uri(path)

    extra = extensions.feed_events(school=school, user=user, roles=roles, today=today,
                                   uid_host=f"{school.slug}.{host}", absolute=absolute)
    body = planner_calendar(
        items=items,
        school_slug=school.slug,
        tz=school.time_zone,
        name=f"{school.name} · {_('Planner')}",
        host=host,
        link=lambda item: absolute(school_path(school, "planner:item_detail", item_id=item.pk)),
        extra=extra,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
