"""Pages of the follow-up record: a note, with its replies, for whoever may read it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from krijt.care import permissions, selectors, services
from krijt.care.forms import NoteForm
from krijt.care.services import NoteIn
from krijt.core import clock
from krijt.core.errors import KrijtError, NotFound
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import Role
from krijt.schools.models import ClassGroup
from krijt.schools.selectors import school_year_on, students_of_class

READ_ROLES = permissions.READ_ROLES


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=READ_ROLES)
def note(request: HttpRequest, note_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    if request.method == "POST":
        student_id = int(request.POST.get("student") or 0) if (request.POST.get("student") or "").isdigit() else 0
        try:
            services.reply_write(school=school, author=user, roles=roles, note_id=note_id,
                                 student_id=student_id or user.pk, text=request.POST.get("text", ""))
        except KrijtError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your side is added to the note."))
        return redirect("care:note", note_id=note_id)
    shown = services.note_opened(school=school, viewer=user, roles=roles, note_id=note_id)
    staff = bool(roles & permissions.STAFF_ROLES)
    mine = [r for r in shown.replies if r.author_id == user.pk]
    return render(request, "care/note.html", {
        "shown": shown, "note": shown.note, "staff": staff,
        "versions": selectors.versions_of(school=school, note=shown.note) if staff else [],
        "my_reply": mine[0] if mine else None, "may_reply": not staff,
        "student_id": shown.links[0].student_id if shown.links else user.pk,
    })


@never_cache
@school_view(roles=READ_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """Staff: the notes they may read, newest first, and their classes to write about. A student: the notes
    about them. A parent: the notes about their children meant for them."""
    school, user, roles = _school(request), _user(request), _roles(request)
    if roles & permissions.STAFF_ROLES:
        reader = selectors.reader_for(school=school, user=user, roles=roles)
        year = school_year_on(school=school, day=clock.local_today(school.time_zone))
        groups = ClassGroup.objects.filter(school=school, school_year=year).order_by("grade", "name") if year else []
        if not reader.care_team:
            groups = [g for g in groups if g.pk in reader.mentored | reader.taught]
        return render(request, "care/home.html", {
            "shown": selectors.notes_for_staff(school=school, reader=reader, limit=50), "groups": groups})
    if Role.STUDENT in roles:
        return render(request, "care/family.html", {
            "sections": [(None, selectors.notes_for_student(school=school, student=user))],
            "views": selectors.views_of(school=school, student=user)})
    sections = []
    for child in selectors.children_of_parent(school=school, parent=user):
        try:
            sections.append((child, selectors.notes_for_parent(school=school, parent=user, student_id=child.pk)))
        except NotFound:
            continue
    return render(request, "care/family.html", {"sections": sections, "views": []})


@never_cache
@school_view(roles=permissions.STAFF_ROLES)
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    person = selectors.student_for_reader(school=school, reader=reader, student_id=student_id)
    return render(request, "care/student.html", {
        "person": person, "shown": selectors.notes_for_staff(school=school, reader=reader, student=person)})


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def write(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    group = selectors.class_to_write_about(school=school, reader=reader,
                                           class_id=request.GET.get("class") or request.POST.get("class"))
    students = [(s.pk, s.full_name or s.username) for s in students_of_class(school=school, class_group=group)]
    wanted = request.GET.get("student", "")
    form = NoteForm(request.POST or None, students=students, staff=selectors.staff_choices(school=school),
                    initial={"concerned": [int(wanted)] if wanted.isdigit() else [], "talk_with": user.pk,
                             "to_student": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            people = [(pk, "concerned") for pk in data["concerned"]]
            people += [(pk, "witness") for pk in data["witnesses"] if pk not in data["concerned"]]
            try:
                note = services.note_create(school=school, author=user, roles=roles, data=NoteIn(
                    kind=data["kind"], students=people, what_happened=data["what_happened"],
                    situation=data["situation"], done_so_far=data["done_so_far"], next_step=data["next_step"],
                    restricted=data["restricted"], visibility=data["visibility"], phase=data["phase"],
                    review_on=data["review_on"], to_student=data["to_student"], to_parents=data["to_parents"],
                    talk_with_id=data["talk_with"], talk_at=_aware(data["talk_at"], school.time_zone)))
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The note is saved. The student and the parents get it at the "
                                            "moments shown on the note."))
                return redirect("care:note", note_id=note.pk)
        else:
            status = 400
    return render(request, "care/write.html", {"form": form, "group": group}, status=status)


def _aware(moment: dt.datetime | None, tz: str) -> dt.datetime | None:
    """A time typed in the form is the school's wall-clock time."""
    if moment is None or not timezone.is_naive(moment):
        return moment
    return timezone.make_aware(moment, ZoneInfo(tz))
