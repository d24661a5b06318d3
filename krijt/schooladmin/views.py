"""School administration pages. Thin: forms in, services for writes, selectors for reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache

from krijt.accounts.models import User
from krijt.accounts.selectors import belongs_elsewhere
from krijt.accounts.services import parent_letters_issue
from krijt.core import clock
from krijt.core.errors import Forbidden, KrijtError
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import MEMBERSHIP_ROLES, Role
from krijt.schooladmin import forms as f
from krijt.schooladmin import selectors as sel
from krijt.schooladmin import services as people
from krijt.schooladmin.letters import letter_texts, letters_pdf
from krijt.schooladmin.permissions import LETTER_ROLES, MANAGE_ROLES, VIEW_ROLES, can_manage
from krijt.schools import services
from krijt.schools.models import (
    CalendarEntry,
    ClassGroup,
    Course,
    LessonPeriod,
    Period,
    School,
    SchoolYear,
    TimetableSlot,
)
from krijt.schools.selectors import class_list, lesson_periods, school_overview

# ---------------------------------------------------------------- helpers

SHARED_ACCOUNT = _lazy(
    "This account is also used in another school: only its owner can change the name, e-mail address and birth date."
)


def _today(school: School) -> Any:
    return clock.local_today(school.time_zone)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


SECTIONS = {
    "class": "classes",
    "slot": "classes",
    "person": "people",
    "course": "courses",
    "timetable": "timetable",
    "lesson": "timetable",
    "calendar": "calendar",
    "year": "calendar",
    "period": "calendar",
    "entry": "calendar",
}


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("can_manage", can_manage(request.roles))  # type: ignore[attr-defined]
    url_name = request.resolver_match.url_name if request.resolver_match else ""
    context.setdefault("section", SECTIONS.get((url_name or "").split("_")[0], "overview"))
    return render(request, template, context, status=status)


def _form_page(request: HttpRequest, template: str, form: forms.Form, context: dict[str, Any]) -> HttpResponse:
    """A form page: 400 when a posted form has errors, so tests and tools see the failure."""
    status = 400 if request.method == "POST" and form.errors else 200
    return _page(request, template, {"form": form, **context}, status=status)


_show_error = show_error


def _post_only(request: HttpRequest) -> HttpResponse | None:
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _done(request: HttpRequest, text: str, to: str, *args: Any, query: dict[str, Any] | None = None) -> HttpResponse:
    messages.success(request, text)
    url = reverse(to, args=args)
    if query:
        url += "?" + urlencode(query)
    return redirect(url)


def _failed(request: HttpRequest, error: KrijtError, to: str, *args: Any) -> HttpResponse:
    for messages_of_field in error.fields.values():
        for message in messages_of_field:
            messages.error(request, str(message))
    if not error.fields:
        messages.error(request, str(error.message))
    return redirect(reverse(to, args=args))


def _delete_owned(
    request: HttpRequest, model: type[Any], pk: int, delete: Callable[[School, Any], object], text: str, to: str
) -> HttpResponse:
    """The shape of every delete page: the school's own object, POST only, the service, a message back."""
    school = _school(request)
    obj = sel.owned(model, school=school, pk=pk)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        delete(school, obj)
    except KrijtError as exc:
        return _failed(request, exc, to)
    return _done(request, text, to)


def _years(school: School, request: HttpRequest) -> tuple[list[SchoolYear], SchoolYear | None]:
    years = sel.school_years(school=school)
    return years, sel.pick_year(years, today=_today(school), year_id=_int(request.GET.get("year")))


def _current_year(school: School) -> SchoolYear | None:
    return sel.pick_year(sel.school_years(school=school), today=_today(school))


# ---------------------------------------------------------------- overview


@never_cache
@school_view(roles=VIEW_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    return _page(request, "schooladmin/overview.html", {"overview": school_overview(school=school)})


# ---------------------------------------------------------------- classes


@never_cache
@school_view(roles=VIEW_ROLES)
def class_list_view(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    years, year = _years(school, request)
    classes = list(class_list(school=school, school_year=year)) if year else []
    return _page(request, "schooladmin/class_list.html", {"years": years, "year": year, "classes": classes})


@never_cache
@school_view(roles=MANAGE_ROLES)
def class_create(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    years = SchoolYear.objects.filter(school=school).order_by("-starts_on")
    current = _current_year(school)
    form = f.ClassForm(
        request.POST or None,
        years=years,
        teachers=sel.teachers(school=school),
        initial={"school_year": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.class_create(
                actor=_user(request),
                roles=_roles(request),
                school=school,
                school_year=data["school_year"],
                name=data["name"],
                grade=data["grade"],
                mentor=data["mentor"],
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(
                request, _("Class %(name)s created.") % {"name": group.name}, "schooladmin:class_detail", group.pk
            )
    return _form_page(
        request, "schooladmin/form.html", form, {"title": _("New class"), "back": reverse("schooladmin:class_list")}
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def class_edit(request: HttpRequest, class_id: int) -> HttpResponse:
    school = _school(request)
    group = sel.owned(ClassGroup, school=school, pk=class_id, related=("mentor", "school_year"))
    form = f.ClassForm(
        request.POST or None,
        teachers=sel.teachers(school=school),
        initial={"name": group.name, "grade": group.grade, "mentor": group.mentor_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.class_update(
                actor=_user(request),
                roles=_roles(request),
                school=school,
                class_group=group,
                name=data["name"],
                grade=data["grade"],
                mentor=data["mentor"],
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("Class saved."), "schooladmin:class_detail", group.pk)
    return _form_page(
        request,
        "schooladmin/form.html",
        form,
        {
            "title": _("Edit class %(name)s") % {"name": group.name},
            "back": reverse("schooladmin:class_detail", args=[group.pk]),
        },
    )


@never_cache
@school_view(roles=VIEW_ROLES)
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    school = _school(request)
    group = sel.owned(ClassGroup, school=school, pk=class_id, related=("mentor", "school_year"))
    return _page(
        request,
        "schooladmin/class_detail.html",
        {
            "group": group,
            "students": sel.class_students(school=school, class_group=group),
            "courses": list(sel.course_list(school=school, school_year=group.school_year, class_group=group)),
            "grid": sel.timetable_grid(school=school, class_group=group),
        },
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def class_timetable(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's week, with a form to add a lesson and a button on each lesson to remove it."""
    school = _school(request)
    group = sel.owned(ClassGroup, school=school, pk=class_id, related=("school_year",))
    courses = Course.objects.filter(school=school, class_group=group).order_by("name")
    form = f.SlotForm(request.POST or None, school=school, courses=courses)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.timetable_slot_create(
                actor=_user(request),
                roles=_roles(request),
                school=school,
                course=data["course"],
                weekday=data["weekday"],
                lesson_period=data["lesson_period"],
                room=data["room"],
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("Lesson added."), "schooladmin:class_timetable", group.pk)
    return _form_page(
        request,
        "schooladmin/class_timetable.html",
        form,
        {"group": group, "grid": sel.timetable_grid(school=school, class_group=group)},
    )


@school_view(roles=MANAGE_ROLES)
def slot_delete(request: HttpRequest, slot_id: int) -> HttpResponse:
    school = _school(request)
    slot = sel.owned(TimetableSlot, school=school, pk=slot_id, related=("course",))
    if (refused := _post_only(request)) is not None:
        return refused
    services.timetable_slot_delete(actor=_user(request), roles=_roles(request), school=school, slot=slot)
    return _done(request, _("Lesson removed."), "schooladmin:class_timetable", slot.course.class_group_id)


# ---------------------------------------------------------------- parent letters


@never_cache
@school_view(roles=LETTER_ROLES)
def class_letters(request: HttpRequest, class_id: int) -> HttpResponse:
    """GET: what printing does (and that it replaces unused codes). POST: new codes on a printable page."""
    school = _school(request)
    group = sel.owned(ClassGroup, school=school, pk=class_id, related=("school_year",))
    students = sel.class_students(school=school, class_group=group)
    if request.method != "POST":
        return _page(request, "schooladmin/letters_confirm.html", {"group": group, "students": students})
    texts = _issue_letters(request, school, group, students)
    return _page(request, "schooladmin/letters.html", {"group": group, "letters": texts})


@never_cache
@school_view(roles=LETTER_ROLES)
def class_letters_pdf(request: HttpRequest, class_id: int) -> HttpResponse:
    school = _school(request)
    group = sel.owned(ClassGroup, school=school, pk=class_id, related=("school_year",))
    if (refused := _post_only(request)) is not None:
        return refused
    students = sel.class_students(school=school, class_group=group)
    texts = _issue_letters(request, school, group, students)
    title = _("Parent letters %(class)s") % {"class": group.name}
    response = HttpResponse(letters_pdf(school=school, texts=texts, title=title), content_type="application/pdf")
    filename = f"parent-letters-{slugify(group.name) or group.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _issue_letters(request: HttpRequest, school: School, group: ClassGroup, students: list[User]) -> list[Any]:
    letters = parent_letters_issue(school=school, students=students, class_names={s.pk: group.name for s in students})
    return letter_texts(
        school=school, letters=letters, activate_url=request.build_absolute_uri(reverse("accounts:activate"))
    )


# ---------------------------------------------------------------- people


@never_cache
@school_view(roles=VIEW_ROLES)
def person_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    query = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    if role not in sel.ROLE_ORDER:
        role = ""
    page = sel.people_page(
        school=school,
        school_year=_current_year(school),
        query=query,
        role=role or None,
        page=request.GET.get("page", 1),
    )
    keep = {k: v for k, v in {"q": query, "role": role}.items() if v}
    return _page(
        request,
        "schooladmin/person_list.html",
        {
            "page": page,
            "query": query,
            "role": role,
            "keep": urlencode(keep),
            "role_choices": [(r, Role(r).label) for r in sel.ROLE_ORDER],
        },
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def person_create(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    year = _current_year(school)
    form = f.PersonCreateForm(
        request.POST or None,
        school=school,
        classes=sel.classes_of_year(school=school, school_year=year),
        initial={"role": request.GET.get("role", Role.STUDENT)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = people.person_create(
                school=school,
                actor=_user(request),
                roles=_roles(request),
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                email=data["email"],
                birth_date=data["birth_date"],
                class_group=data["class_group"],
                child_username=data["child"],
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("%(name)s was added.") % {"name": user}, "schooladmin:person_detail", user.pk)
    return _form_page(
        request,
        "schooladmin/form.html",
        form,
        {
            "title": _("New person"),
            "back": reverse("schooladmin:person_list"),
            "help": _("The person gets no password: give them an activation letter, or a parent a parent letter."),
        },
    )


@never_cache
@school_view(roles=VIEW_ROLES)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    school = _school(request)
    user = sel.person_in_school(school=school, person_id=person_id)
    year = _current_year(school)
    profile = sel.person_profile(school=school, user=user, school_year=year)
    missing = [r for r in MEMBERSHIP_ROLES if r not in profile.roles]
    context: dict[str, Any] = {
        "person": user,
        "profile": profile,
        "year": year,
        "shared_account": SHARED_ACCOUNT if belongs_elsewhere(user=user, school=school) else "",
    }
    if can_manage(request.roles):  # type: ignore[attr-defined]
        context["role_form"] = f.RoleForm(roles=missing) if missing else None
        if Role.STUDENT in profile.roles and year is not None:
            context["enrol_form"] = f.EnrolForm(
                classes=sel.classes_of_year(school=school, school_year=year),
                initial={"class_group": profile.class_group},
            )
    return _page(request, "schooladmin/person_detail.html", context)


@never_cache
@school_view(roles=MANAGE_ROLES)
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    school = _school(request)
    user = sel.person_in_school(school=school, person_id=person_id)
    locked = belongs_elsewhere(user=user, school=school)
    form = f.PersonForm(
        request.POST or None,
        school=school,
        locked=locked,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "birth_date": user.birth_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people.person_update(
                school=school,
                actor=_user(request),
                roles=_roles(request),
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                birth_date=data["birth_date"],
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("Saved."), "schooladmin:person_detail", user.pk)
    help_text = _("User name: %(u)s") % {"u": user.username}
    if locked:
        help_text = f"{help_text}. {SHARED_ACCOUNT}"
    return _form_page(
        request,
        "schooladmin/form.html",
        form,
        {
            "title": _("Edit %(name)s") % {"name": user},
            "back": reverse("schooladmin:person_detail", args=[user.pk]),
            "help": help_text,
            "locked": locked,
        },
    )


@school_view(roles=MANAGE_ROLES)
def person_role_add(request: HttpRequest, person_id: int) -> HttpResponse:
    school = _school(request)
    user = sel.person_in_school(school=school, person_id=person_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = f.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("schooladmin:person_detail", user.pk)
    try:
        people.person_role_add(
            school=school, actor=_user(request), roles=_roles(request), user=user, role=form.cleaned_data["role"]
        )
    except KrijtError as exc:
        return _failed(request, exc, "schooladmin:person_detail", user.pk)
    return _done(request, _("Role added."), "schooladmin:person_detail", user.pk)


@school_view(roles=MANAGE_ROLES)
def person_role_remove(request: HttpRequest, person_id: int) -> HttpResponse:
    school = _school(request)
    user = sel.person_in_school(school=school, person_id=person_id)
    if (refused := _post_only(request)) is not None:
        return refused
    form = f.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("schooladmin:person_detail", user.pk)
    try:
        people.person_role_remove(
            school=school, actor=_user(request), roles=_roles(request), user=user, role=form.cleaned_data["role"]
        )
    except KrijtError as exc:
        return _failed(request, exc, "schooladmin:person_detail", user.pk)
    return _done(request, _("Role removed."), "schooladmin:person_detail", user.pk)


@school_view(roles=MANAGE_ROLES)
def person_parent_unlink(request: HttpRequest, person_id: int) -> HttpResponse:
    school = _school(request)
    user = sel.person_in_school(school=school, person_id=person_id)
    if (refused := _post_only(request)) is not None:
        return refused
    parent_id = _int(request.POST.get("parent"))
    if parent_id is None:
        messages.error(request, _("Choose a parent."))
        return redirect("schooladmin:person_detail", user.pk)
    try:
        people.person_parent_unlink(
            school=school, actor=_user(request), roles=_roles(request), student=user, parent_id=parent_id
        )
    except KrijtError as exc:
        return _failed(request, exc, "schooladmin:person_detail", user.pk)
    return _done(request, _("The parent is no longer linked to this student."), "schooladmin:person_detail", user.pk)


@school_view(roles=MANAGE_ROLES)
def person_enrol(request: HttpRequest, person_id: int) -> HttpResponse:
    school = _school(request)
    user = sel.person_in_school(school=school, person_id=person_id)
    if (refused := _post_only(request)) is not None:
        return refused
    year = _current_year(school)
    if year is None:
        messages.error(request, _("Add a school year first."))
        return redirect("schooladmin:person_detail", user.pk)
    form = f.EnrolForm(request.POST, classes=sel.classes_of_year(school=school, school_year=year))
    if not form.is_valid():
        messages.error(request, _("Choose a class of this school year."))
        return redirect("schooladmin:person_detail", user.pk)
    try:
        people.person_enrol(
            school=school,
            actor=_user(request),
            roles=_roles(request),
            user=user,
            school_year=year,
            class_group=form.cleaned_data["class_group"],
        )
    except KrijtError as exc:
        return _failed(request, exc, "schooladmin:person_detail", user.pk)
    return _done(request, _("Class saved."), "schooladmin:person_detail", user.pk)


# ---------------------------------------------------------------- courses


@never_cache
@school_view(roles=VIEW_ROLES)
def course_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    years, year = _years(school, request)
    classes = list(sel.classes_of_year(school=school, school_year=year))
    wanted = _int(request.GET.get("class"))
    group = next((c for c in classes if c.pk == wanted), None)
    query = request.GET.get("q", "").strip()[:100]
    page = sel.course_page(school=school, school_year=year, class_group=group, query=query,
                           page=request.GET.get("page", 1))
    keep = {k: v for k, v in {"year": request.GET.get("year", ""), "class": group.pk if group else "",
                                "q": query}.items() if v}
    return _page(
        request,
        "schooladmin/course_list.html",
        {"years": years, "year": year, "classes": classes, "group": group, "courses": page.object_list,
         "page": page, "query": query, "keep": urlencode(keep)},
    )


def _course_form_page(request: HttpRequest, school: School, *, course: Course | None) -> HttpResponse:
    year = course.school_year if course is not None else _current_year(school)
    classes = sel.classes_of_year(school=school, school_year=year)
    if course is not None:
        initial = {
            "name": course.name,
            "code": course.code,
            "class_group": course.class_group_id,
            "teacher": course.teacher_id,
            "hours_per_week": course.hours_per_week,
        }
    else:
        initial = {"class_group": _int(request.GET.get("class")), "hours_per_week": 1}
    form = f.CourseForm(request.POST or None, classes=classes, teachers=sel.teachers(school=school), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if course is None:
                course = services.course_create(actor=_user(request), roles=_roles(request), school=school, **data)
            else:
                services.course_update(
                    actor=_user(request), roles=_roles(request), school=school, course=course, **data
                )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("Course saved."), "schooladmin:course_list", query={"class": course.class_group_id})
    title = _("New course") if course is None else _("Edit course %(name)s") % {"name": course.name}
    return _form_page(
        request,
        "schooladmin/form.html",
        form,
        {
            "title": title,
            "back": reverse("schooladmin:course_list"),
            "help": None if year else _("Add a school year first."),
        },
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def course_create(request: HttpRequest) -> HttpResponse:
    return _course_form_page(request, _school(request), course=None)


@never_cache
@school_view(roles=MANAGE_ROLES)
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    school = _school(request)
    course = sel.owned(Course, school=school, pk=course_id, related=("school_year", "class_group"))
    return _course_form_page(request, school, course=course)


@school_view(roles=MANAGE_ROLES)
def course_delete(request: HttpRequest, course_id: int) -> HttpResponse:
    school = _school(request)
    course = sel.owned(Course, school=school, pk=course_id)
    if (refused := _post_only(request)) is not None:
        return refused
    class_id = course.class_group_id
    services.course_delete(actor=_user(request), roles=_roles(request), school=school, course=course)
    return _done(request, _("Course deleted."), "schooladmin:course_list", query={"class": class_id})


# ---------------------------------------------------------------- lesson periods


@never_cache
@school_view(roles=VIEW_ROLES)
def timetable(request: HttpRequest) -> HttpResponse:
    """The lesson periods (times of the school day), and a form to add one."""
    school = _school(request)
    form = f.LessonPeriodForm(request.POST or None)
    if request.method == "POST":
        if not can_manage(request.roles):  # type: ignore[attr-defined]
            raise Forbidden()
        if form.is_valid():
            try:
                services.lesson_period_create(
                    actor=_user(request), roles=_roles(request), school=school, **form.cleaned_data
                )
            except KrijtError as exc:
                _show_error(form, exc)
            else:
                return _done(request, _("Lesson period added."), "schooladmin:timetable")
    year = _years(school, request)[1]
    return _form_page(
        request,
        "schooladmin/timetable.html",
        form,
        {
            "periods": list(lesson_periods(school=school)),
            "year": year,
            "classes": list(sel.classes_of_year(school=school, school_year=year)),
        },
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def lesson_period_edit(request: HttpRequest, lesson_period_id: int) -> HttpResponse:
    school = _school(request)
    period = sel.owned(LessonPeriod, school=school, pk=lesson_period_id)
    form = f.LessonPeriodForm(
        request.POST or None,
        initial={"number": period.number, "starts_at": period.starts_at, "ends_at": period.ends_at},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_period_update(
                actor=_user(request), roles=_roles(request), school=school, lesson_period=period, **form.cleaned_data
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("Lesson period saved."), "schooladmin:timetable")
    return _form_page(
        request,
        "schooladmin/form.html",
        form,
        {"title": _("Edit lesson period %(n)s") % {"n": period.number}, "back": reverse("schooladmin:timetable")},
    )


@school_view(roles=MANAGE_ROLES)
def lesson_period_delete(request: HttpRequest, lesson_period_id: int) -> HttpResponse:
    return _delete_owned(
        request,
        LessonPeriod,
        lesson_period_id,
        lambda school, period: services.lesson_period_delete(
            actor=_user(request), roles=_roles(request), school=school, lesson_period=period
        ),
        _("Lesson period deleted."),
        "schooladmin:timetable",
    )


# ---------------------------------------------------------------- calendar


@never_cache
@school_view(roles=VIEW_ROLES)
def calendar(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    today = _today(school)
    return _page(
        request,
        "schooladmin/calendar.html",
        {
            "years": sel.calendar_years(school=school),
            "today": today,
            "closed_days": sel.non_school_days(school=school, start=today, days=31),
        },
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def year_create(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = f.SchoolYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.school_year_create(
                actor=_user(request), roles=_roles(request), school=school, **form.cleaned_data
            )
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("School year %(name)s added.") % {"name": year.name}, "schooladmin:calendar")
    return _form_page(
        request, "schooladmin/form.html", form, {"title": _("New school year"), "back": reverse("schooladmin:calendar")}
    )


@school_view(roles=MANAGE_ROLES)
def year_delete(request: HttpRequest, year_id: int) -> HttpResponse:
    return _delete_owned(
        request,
        SchoolYear,
        year_id,
        lambda school, year: services.school_year_delete(
            actor=_user(request), roles=_roles(request), school=school, school_year=year
        ),
        _("School year deleted."),
        "schooladmin:calendar",
    )


def _create_in_year(
    request: HttpRequest,
    form_class: type[f.PeriodForm] | type[f.CalendarEntryForm],
    title: str,
    create: Callable[..., object],
    text: str,
) -> HttpResponse:
    """A form for something inside a school year (a period, a holiday), starting on the current year."""
    school = _school(request)
    current = _current_year(school)
    wanted = _int(request.GET.get("year"))
    form = form_class(
        request.POST or None, school=school, initial={"school_year": wanted or (current.pk if current else None)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            create(actor=_user(request), roles=_roles(request), school=school, **form.cleaned_data)
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, text, "schooladmin:calendar")
    return _form_page(request, "schooladmin/form.html", form, {"title": title, "back": reverse("schooladmin:calendar")})


@never_cache
@school_view(roles=MANAGE_ROLES)
def period_create(request: HttpRequest) -> HttpResponse:
    return _create_in_year(request, f.PeriodForm, _("New period"), services.period_create, _("Period added."))


@school_view(roles=MANAGE_ROLES)
def period_delete(request: HttpRequest, period_id: int) -> HttpResponse:
    return _delete_owned(
        request,
        Period,
        period_id,
        lambda school, period: services.period_delete(
            actor=_user(request), roles=_roles(request), school=school, period=period
        ),
        _("Period deleted."),
        "schooladmin:calendar",
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def entry_create(request: HttpRequest) -> HttpResponse:
    return _create_in_year(
        request,
        f.CalendarEntryForm,
        _("New holiday or closure day"),
        services.calendar_entry_create,
        _("Added to the calendar."),
    )


@school_view(roles=MANAGE_ROLES)
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _delete_owned(
        request,
        CalendarEntry,
        entry_id,
        lambda school, entry: services.calendar_entry_delete(
            actor=_user(request), roles=_roles(request), school=school, entry=entry
        ),
        _("Removed from the calendar."),
        "schooladmin:calendar",
    )


@never_cache
@school_view(roles=MANAGE_ROLES)
def identity(request: HttpRequest) -> HttpResponse:
    """The school's name, colour and logo, as the shell shows them to everyone, and its notice."""
    school = _school(request)
    action = request.POST.get("action", "identity") if request.method == "POST" else ""
    local_until = school.notice_until.astimezone(ZoneInfo(school.time_zone)).replace(tzinfo=None) \
        if school.notice_until else None
    form = f.IdentityForm(request.POST if action == "identity" else None,
                          request.FILES if action == "identity" else None,
                          initial={"name": school.name, "accent_color": school.accent_color})
    notice_form = f.NoticeForm(request.POST if action == "notice" else None, tz=school.time_zone,
                               initial={"notice": school.notice, "notice_until": local_until})
    if action == "identity" and form.is_valid():
        data = form.cleaned_data
        try:
            services.school_identity_update(
                school=school, actor=_user(request), roles=_roles(request), name=data["name"],
                accent_color=data["accent_color"], logo=data["logo"] or None, remove_logo=data["remove_logo"])
        except KrijtError as exc:
            _show_error(form, exc)
        else:
            return _done(request, _("The school's name, colour and logo are saved."), "schooladmin:identity")
    if action == "notice" and notice_form.is_valid():
        data = notice_form.cleaned_data
        try:
            services.school_notice_set(school=school, actor=_user(request), roles=_roles(request),
                                       notice=data["notice"], until=data["notice_until"])
        except KrijtError as exc:
            _show_error(notice_form, exc)
        else:
            done = _("The notice is shown.") if data["notice"] else _("The notice is removed.")
            return _done(request, done, "schooladmin:identity")
    status = 400 if request.method == "POST" and (form.errors or notice_form.errors) else 200
    return _page(request, "schooladmin/identity.html",
                 {"form": form, "notice_form": notice_form, "section": "identity"}, status=status)
