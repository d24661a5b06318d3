"""Pages of the follow-up record: a note, with its replies, for whoever may read it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from krijt.care import permissions, selectors, services
from krijt.care.models import NoteVersion
from krijt.core.errors import KrijtError, NotFound
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.roles import Role

READ_ROLES = permissions.STAFF_ROLES | {Role.STUDENT, Role.PARENT}


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
    if Role.PARENT in roles and not roles & (permissions.STAFF_ROLES | {Role.STUDENT}):
        found = selectors.children_with_note(school=school, parent=user, note_id=note_id)
        if not found:
            raise NotFound()
        shown = found[0]
    else:
        shown = services.note_opened(school=school, viewer=user, roles=roles, note_id=note_id)
    staff = bool(roles & permissions.STAFF_ROLES)
    mine = [r for r in shown.replies if r.author_id == user.pk]
    return render(request, "care/note.html", {
        "shown": shown, "note": shown.note, "staff": staff,
        "versions": list(NoteVersion.objects.filter(school=school, note=shown.note).select_related("changed_by"))
        if staff else [],
        "my_reply": mine[0] if mine else None, "may_reply": not staff,
        "student_id": shown.links[0].student_id if shown.links else user.pk,
    })
