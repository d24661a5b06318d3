"""Pages of the follow-up record: a note, with its replies, for whoever may read it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.care import permissions, selectors, services
from krijt.care.forms import ConsentForm, CorrectForm, NoteForm, ReasonForm, SettingsForm, SharingForm, TeamForm
from krijt.care.services import NoteIn
from krijt.core import clock
from krijt.core.downloads import stored_file_response
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
    may_change = staff and (shown.note.author_id == user.pk or selectors.reader_for(
        school=school, user=user, roles=roles).care_team)
    return render(request, "care/note.html", {
        "shown": shown, "note": shown.note, "staff": staff,
        "versions": selectors.versions_of(school=school, note=shown.note) if staff else [],
        "attachments": selectors.attachments_of(school=school, note=shown.note) if staff else [],
        "my_reply": mine[0] if mine else None, "may_reply": not staff, "may_change": may_change,
        "close_form": ReasonForm() if may_change and shown.note.kind == "care_measure" and not shown.note.closed_on
        else None,
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
            "shown": selectors.notes_for_staff(school=school, reader=reader, limit=50), "groups": groups,
            "reader": reader, "admin": Role.ADMIN in roles,
            "mentored": [g for g in groups if g.pk in reader.mentored]})
    if Role.STUDENT in roles:
        return render(request, "care/family.html", {
            "sections": [(None, selectors.notes_for_student(school=school, student=user), [])],
            "views": selectors.views_of(school=school, student=user), "student": True,
            "adult": user.is_adult_on(clock.local_today(school.time_zone))})
    sections = []
    for child in selectors.children_of_parent(school=school, parent=user):
        try:
            sections.append((child, selectors.notes_for_parent(school=school, parent=user, student_id=child.pk),
                             selectors.views_for_parent(school=school, parent=user, student=child)))
        except NotFound:
            continue
    return render(request, "care/family.html", {"sections": sections, "views": []})


@never_cache
@school_view(roles=permissions.STAFF_ROLES)
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    person = selectors.student_for_reader(school=school, reader=reader, student_id=student_id)
    wanted = request.GET.get("weeks", "")
    weeks = int(wanted) if wanted.isdigit() and int(wanted) in selectors.TIMELINE_WEEKS else 13
    return render(request, "care/student.html", {
        "person": person, "reader": reader, "weeks": weeks, "week_choices": selectors.TIMELINE_WEEKS,
        "days": selectors.timeline(school=school, reader=reader, user=user, roles=roles, student=person,
                                   weeks=weeks),
        "changes": selectors.changes_about(school=school, reader=reader, student=person),
        "consent": selectors.consent_of(school=school, student=person) if reader.care_team or reader.clb else None,
        "consent_form": ConsentForm(), "hold_form": ReasonForm(),
        "left": selectors.left_record_of(school=school, student=person),
        "class_id": selectors.current_class(school=school, student_id=person.pk),
    })


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
                    talk_with_id=data["talk_with"], talk_at=clock.wall_time(data["talk_at"], school.time_zone)),
                    files=_files(request))
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The note is saved. The student and the parents get it at the "
                                            "moments shown on the note."))
                return redirect("care:note", note_id=note.pk)
        else:
            status = 400
    return render(request, "care/write.html", {"form": form, "group": group, "accept": services.ATTACHMENT.accept,
                                               "kinds_hint": services.ATTACHMENT.kinds}, status=status)


def _files(request: HttpRequest) -> list:
    return [f for f in request.FILES.getlist("files") if f.name]


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.WRITE_ROLES)
def correct(request: HttpRequest, note_id: int) -> HttpResponse:
    """The author or the care team corrects a note: a new version, the old one kept with the reason."""
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    shown = selectors.note_for_staff(school=school, reader=reader, note_id=note_id)
    note = shown.note
    if note.author_id != user.pk and not reader.care_team:
        raise NotFound()
    form = CorrectForm(request.POST or None, initial={
        name: getattr(note, name) for name in ("what_happened", "situation", "done_so_far", "next_step",
                                               "visibility", "phase", "review_on", "restricted")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.note_correct(school=school, actor=user, roles=roles, note_id=note.pk, reason=data["reason"],
                                      files=_files(request), data=NoteIn(
                                          kind=note.kind, students=[], what_happened=data["what_happened"],
                                          situation=data["situation"], done_so_far=data["done_so_far"],
                                          next_step=data["next_step"], restricted=data["restricted"],
                                          visibility=data["visibility"], phase=data["phase"],
                                          review_on=data["review_on"]))
            except KrijtError as exc:
                show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The note is corrected; the earlier version is kept."))
                return redirect("care:note", note_id=note.pk)
        else:
            status = 400
    return render(request, "care/correct.html", {"form": form, "note": note, "shown": shown,
                                                 "accept": services.ATTACHMENT.accept,
                                                 "kinds_hint": services.ATTACHMENT.kinds}, status=status)


@require_POST
@school_view(roles=permissions.WRITE_ROLES)
def close(request: HttpRequest, note_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    try:
        services.measure_close(school=school, actor=user, roles=roles, note_id=note_id,
                               reason=request.POST.get("reason", ""))
    except KrijtError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The care measure is closed."))
    return redirect("care:note", note_id=note_id)


@never_cache
@school_view(roles=permissions.STAFF_ROLES)
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    row = selectors.attachment_for_staff(school=school, reader=reader, attachment_id=attachment_id)
    response = stored_file_response(row.file, filename=row.name, content_type=row.content_type,
                                    inline=request.GET.get("download") is None)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response  # type: ignore[return-value]


@never_cache
@school_view(roles=permissions.STAFF_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    """The care team's view: per class, students with notes, per phase, open measures and reviews due; the
    open measures by review date; the records of students who left."""
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    return render(request, "care/overview.html", {
        "lines": selectors.overview(school=school, reader=reader),
        "measures": selectors.open_measures(school=school, reader=reader),
        "leavers": selectors.leavers(school=school), "today": clock.local_today(school.time_zone),
        "phases": [0, 1, 2, 3],
    })


@never_cache
@school_view(roles=permissions.STAFF_ROLES)
def class_overview(request: HttpRequest, class_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    reader = selectors.reader_for(school=school, user=user, roles=roles)
    group = selectors.class_for_overview(school=school, reader=reader, class_id=class_id)
    return render(request, "care/class.html", {
        "group": group, "lines": selectors.class_students(school=school, reader=reader, group=group),
        "today": clock.local_today(school.time_zone), "care_team": reader.care_team})


@require_POST
@school_view(roles=permissions.STAFF_ROLES)
def consent(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    try:
        if request.POST.get("action") == "withdraw":
            services.consent_withdraw(school=school, actor=user, roles=roles, student_id=student_id)
            messages.success(request, _("The consent is withdrawn: the CLB no longer reads the notes."))
        else:
            services.consent_record(school=school, actor=user, roles=roles, student_id=student_id,
                                    given_by=request.POST.get("given_by", ""))
            messages.success(request, _("The consent is recorded."))
    except KrijtError as exc:
        messages.error(request, str(exc.message))
    return redirect("care:student", student_id=student_id)


@require_POST
@school_view(roles=permissions.STAFF_ROLES)
def hold(request: HttpRequest, student_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    try:
        if request.POST.get("action") == "release":
            services.record_release(school=school, actor=user, roles=roles, student_id=student_id)
            messages.success(request, _("The record will be deleted on its date."))
        else:
            services.record_hold(school=school, actor=user, roles=roles, student_id=student_id,
                                 reason=request.POST.get("reason", ""))
            messages.success(request, _("The record is kept while the decision is contested."))
    except KrijtError as exc:
        messages.error(request, str(exc.message))
    return redirect("care:student", student_id=student_id)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=frozenset({Role.ADMIN}))
def settings_page(request: HttpRequest) -> HttpResponse:
    """Administrators: the care team, the CLB workers, and the school's rules for notes."""
    school, roles = _school(request), _roles(request)
    current = selectors.settings_for(school=school)
    staff = selectors.staff_choices(school=school)
    form = SettingsForm(request.POST if request.POST.get("form") == "settings" else None, initial={
        "parent_delay_school_hours": current.parent_delay_school_hours,
        "keep_after_leaving_days": current.keep_after_leaving_days})
    team_form = TeamForm(request.POST if request.POST.get("form") == "team" else None, staff=staff)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("form") == "remove":
                member = request.POST.get("member", "")
                services.team_remove(school=school, roles=roles, member_id=int(member) if member.isdigit() else 0)
                messages.success(request, _("Removed from the care team."))
                return redirect("care:settings")
            if request.POST.get("form") == "team" and team_form.is_valid():
                services.team_add(school=school, roles=roles, user_id=team_form.cleaned_data["user"],
                                  function=team_form.cleaned_data["function"])
                messages.success(request, _("Added to the care team."))
                return redirect("care:settings")
            if request.POST.get("form") == "settings" and form.is_valid():
                services.settings_update(school=school, roles=roles, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("care:settings")
            status = 400
        except KrijtError as exc:
            show_error(team_form if request.POST.get("form") == "team" else form, exc)
            status = exc.status
    return render(request, "care/settings.html", {
        "form": form, "team_form": team_form, "team": selectors.team(school=school)}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=frozenset({Role.STUDENT}))
def sharing(request: HttpRequest) -> HttpResponse:
    """An adult student decides what their parents see of the notes about them."""
    school, user = _school(request), _user(request)
    adult = user.is_adult_on(clock.local_today(school.time_zone))
    choice = selectors.sharing_of(school=school, student=user)
    form = SharingForm(request.POST if request.method == "POST" else None, initial={
        "parents_may_see": choice.parents_may_see, "parents_see_views": choice.parents_see_views})
    if request.method == "POST" and adult and form.is_valid():
        services.sharing_update(school=school, student=user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("care:sharing")
    return render(request, "care/sharing.html", {"form": form, "adult": adult})
