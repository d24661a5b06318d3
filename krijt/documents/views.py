"""Pages of course folders and own documents. Thin: a service or a selector per page, a template."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from krijt.core import clock
from krijt.core.errors import KrijtError, NotFound
from krijt.core.forms import show_error
from krijt.core.permissions import school_view
from krijt.core.request import roles_of as _roles
from krijt.core.request import school_of as _school
from krijt.core.request import user_of as _user
from krijt.core.uploads import INLINE_TYPES
from krijt.documents import permissions, selectors, services, signing
from krijt.documents.forms import ChangeForm, FolderForm, LinkForm, MomentForm


@never_cache
@school_view(roles=permissions.READ_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    rows = selectors.courses_for(school=school, user=user, roles=roles)
    return render(request, "documents/home.html", {"rows": rows})


@school_view(roles=permissions.READ_ROLES)
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    folder = services.root_folder(school=_school(request), actor=_user(request), roles=_roles(request),
                                  course_id=course_id)
    return redirect("documents:folder", folder_id=folder.pk)


@school_view(roles=permissions.OWN_FOLDER_ROLES)
def mine(request: HttpRequest) -> HttpResponse:
    folder = services.root_folder(school=_school(request), actor=_user(request), roles=_roles(request))
    return redirect("documents:folder", folder_id=folder.pk)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _upload(request: HttpRequest, folder_id: int) -> HttpResponse | None:
    school, user, roles = _school(request), _user(request), _roles(request)
    form = MomentForm(request.POST)
    moment = clock.wall_time(form.cleaned_data["visible_from"], school.time_zone) if form.is_valid() else None
    files = [f for f in request.FILES.getlist("files") if f.name]
    try:
        placed = services.files_add(school=school, actor=user, roles=roles, folder_id=folder_id, files=files,
                                    visible_from=moment)
    except KrijtError as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc.message), "fields": {k: [str(m) for m in v]
                                                                       for k, v in exc.fields.items()}},
                                status=exc.status)
        for field_messages in exc.fields.values() or [[exc.message]]:
            for message in field_messages:
                messages.error(request, str(message))
        return None
    if _wants_json(request):
        return JsonResponse({"documents": [{"id": p.document.pk, "name": p.document.name, "new_version": p.new_version}
                                           for p in placed]}, status=201)
    messages.success(request, ngettext("%(n)s file added.", "%(n)s files added.", len(placed)) % {"n": len(placed)})
    return None


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.READ_ROLES)
def folder(request: HttpRequest, folder_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    folder_form = FolderForm(request.POST if action == "folder" else None, prefix="folder")
    link_form = LinkForm(request.POST if action == "link" else None, prefix="link")
    status = 200
    if action == "upload":
        answered = _upload(request, folder_id)
        if answered is not None:
            return answered
        return redirect("documents:folder", folder_id=folder_id)
    if action == "folder" and folder_form.is_valid():
        try:
            made = services.folder_create(school=school, actor=user, roles=roles, parent_id=folder_id,
                                          name=folder_form.cleaned_data["name"])
        except KrijtError as exc:
            show_error(folder_form, exc)
            status = exc.status
        else:
            messages.success(request, _("Folder made."))
            return redirect("documents:folder", folder_id=made.pk)
    if action == "link" and link_form.is_valid():
        data = link_form.cleaned_data
        try:
            services.link_add(school=school, actor=user, roles=roles, folder_id=folder_id, name=data["name"],
                              url=data["url"], visible_from=clock.wall_time(data["visible_from"], school.time_zone))
        except KrijtError as exc:
            show_error(link_form, exc)
            status = exc.status
        else:
            messages.success(request, _("Link added."))
            return redirect("documents:folder", folder_id=folder_id)
    if action in {"folder", "link"} and status == 200:
        status = 400
    view = selectors.folder_view(school=school, user=user, roles=roles, folder_id=folder_id)
    return render(request, "documents/folder.html", {
        "view": view, "folder_form": folder_form, "link_form": link_form, "moment_form": MomentForm(),
        "accept": services.FILE.accept, "kinds": services.FILE.kinds, "max_bytes": services.FILE.max_bytes,
        "max_files": services.MAX_FILES,
        "quotas": selectors.quotas(school=school, folder=view.folder) if view.access.edit else []}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.READ_ROLES)
def document(request: HttpRequest, document_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    tz = ZoneInfo(school.time_zone)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    shown = selectors.document_view(school=school, user=user, roles=roles, document_id=document_id)
    item = shown.document
    change_form = ChangeForm(request.POST if action == "change" else None, initial={
        "name": item.name, "visible_from": item.visible_from.astimezone(tz).replace(tzinfo=None)
        if item.visible_from > clock.now() else None})
    status = 200
    try:
        if action == "replace":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a file."))
            else:
                version = services.document_replace(school=school, actor=user, roles=roles, document_id=item.pk,
                                                    upload=upload)
                messages.success(request, _("Version %(n)s is the current one now.") % {"n": version.number})
            return redirect("documents:document", document_id=item.pk)
        if action == "restore":
            number = request.POST.get("number", "")
            version = services.version_restore(school=school, actor=user, roles=roles, document_id=item.pk,
                                               number=int(number) if number.isdigit() else 0)
            messages.success(request, _("Version %(n)s is the current one now.") % {"n": version.number})
            return redirect("documents:document", document_id=item.pk)
        if action == "remove":
            folder_id = item.folder_id
            services.document_remove(school=school, actor=user, roles=roles, document_id=item.pk)
            messages.success(request, _("Removed."))
            return redirect("documents:folder", folder_id=folder_id)
        if action == "change" and change_form.is_valid():
            data = change_form.cleaned_data
            services.document_change(school=school, actor=user, roles=roles, document_id=item.pk, name=data["name"],
                                     visible_from=clock.wall_time(data["visible_from"], school.time_zone))
            messages.success(request, _("Saved."))
            return redirect("documents:document", document_id=item.pk)
        if action == "change":
            status = 400
    except KrijtError as exc:
        if exc.status in {403, 404}:
            raise
        if action == "change":
            show_error(change_form, exc)
            status = exc.status
        else:
            messages.error(request, str(next(iter(exc.fields.values()), [exc.message])[0]))
            return redirect("documents:document", document_id=item.pk)
    return render(request, "documents/document.html", {
        "view": shown, "item": item, "change_form": change_form, "accept": services.FILE.accept}, status=status)


@school_view(roles=permissions.READ_ROLES)
def open_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """A document's current file or link, from a list that holds only its id (search, Today)."""
    shown = selectors.document_view(school=_school(request), user=_user(request), roles=_roles(request),
                                    document_id=document_id).shown
    if not shown.url:
        raise NotFound()
    return redirect(shown.url)


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=permissions.READ_ROLES)
def sharing(request: HttpRequest, course_id: int) -> HttpResponse:
    school, user, roles = _school(request), _user(request), _roles(request)
    shown = selectors.sharing_for(school=school, user=user, roles=roles, course_id=course_id)
    if request.method == "POST":
        class_ids = [int(v) for v in request.POST.getlist("classes") if v.isdigit() and len(v) < 10]
        coteachers = {int(v): request.POST.get(f"edit_{v}") == "on" for v in request.POST.getlist("teachers")
                      if v.isdigit() and len(v) < 10}
        try:
            folder_ = services.sharing_set(school=school, actor=user, roles=roles, course_id=course_id,
                                           class_ids=class_ids, coteachers=coteachers)
        except KrijtError as exc:
            messages.error(request, str(next(iter(exc.fields.values()), [exc.message])[0]))
        else:
            messages.success(request, _("Sharing saved."))
            return redirect("documents:folder", folder_id=folder_.pk)
    return render(request, "documents/sharing.html", {"sharing": shown})


@never_cache
@school_view(roles=permissions.READ_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    found = selectors.search(school=_school(request), user=_user(request), roles=_roles(request), query=query)
    return render(request, "documents/search.html", {"query": query, "found": found})


def _local_storage() -> bool:
    """Files on this machine's disk (the demo, a single server), not in object storage."""
    return isinstance(storages["default"], FileSystemStorage)


def file(request: HttpRequest, token: str, name: str) -> HttpResponse | FileResponse:
    """A signed address of a stored file: no sign-in and no query, only the signature, its age and its school.
    Behind a web server that serves protected files, it answers with X-Accel-Redirect."""
    school = getattr(request, "school", None)
    found = signing.read(token, school_id=school.pk) if school is not None else None
    if found is None:
        raise NotFound()
    inline = found["t"].split(";")[0] in INLINE_TYPES
    accel = getattr(settings, "KRIJT_DOCUMENTS_ACCEL_PREFIX", "")
    if not _local_storage():
        # Object storage: its own signed URL, made here without a call to it; the bytes never pass through us.
        return redirect(default_storage.url(found["p"], parameters={  # type: ignore[call-arg]
            "ResponseContentType": found["t"],
            "ResponseContentDisposition": content_disposition_header(not inline, name) or "attachment"}))
    if accel:
        response: HttpResponse | FileResponse = HttpResponse(content_type=found["t"])
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + found["p"]
    else:
        try:
            handle = default_storage.open(found["p"], "rb")
        except (FileNotFoundError, OSError) as error:
            raise NotFound() from error
        response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=found["t"])
    response["Content-Disposition"] = content_disposition_header(not inline, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={signing.seconds_left(found)}"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response

