"""Import pages for school administrators: upload, follow progress, review the preview, apply."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from krijt.core.errors import KrijtError, NotFound
from krijt.core.permissions import school_view
from krijt.imports import selectors, services
from krijt.imports.forms import UploadForm
from krijt.imports.models import ImportJob
from krijt.imports.parsing import OPTIONAL, REQUIRED
from krijt.imports.permissions import MANAGE_IMPORTS

PAGE_SIZE = 20

FIELD_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("E-mail"),
    "birth_date": gettext_lazy("Birth date"),
    "class": gettext_lazy("Class"),
    "child": gettext_lazy("Child"),
}


@never_cache
@require_http_methods(["GET", "POST"])
@school_view(roles=MANAGE_IMPORTS)
def job_list(request: HttpRequest) -> HttpResponse:
    school: Any = request.school  # type: ignore[attr-defined]
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.import_job_create(
                    school=school, user=request.user,  # type: ignore[arg-type]
                    kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                    language=getattr(request, "LANGUAGE_CODE", ""), roles=frozenset(request.roles),  # type: ignore[attr-defined]
                )
            except KrijtError as exc:
                for message in exc.fields.get("file", []) or [str(exc.message)]:
                    form.add_error("file", message)
                status = exc.status
            else:
                return redirect("imports:job_detail", job_id=job.pk)
        else:
            status = 400
    page = Paginator(selectors.job_list(school=school), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "imports/job_list.html", {
        "form": form, "page": page, "kinds": selectors.kinds_help(),
    }, status=status)


def _state_context(job: ImportJob) -> dict[str, Any]:
    done, total = selectors.job_progress(job=job)
    sample = []
    for entry in (job.summary or {}).get("sample", []):
        changes = [{**c, "label": FIELD_LABELS.get(c["field"], c["field"])} for c in entry.get("changes", [])]
        sample.append({**entry, "changes": changes})
    return {"job": job, "done": done, "total": total, "summary": job.summary or {}, "sample": sample,
            "errors_hidden": max(0, job.errors_total - len(job.errors))}


@never_cache
@require_http_methods(["GET"])
@school_view(roles=MANAGE_IMPORTS)
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_for_admin(school=request.school, job_id=job_id)  # type: ignore[attr-defined]
    return render(request, "imports/job_detail.html", _state_context(job))


@never_cache
@require_http_methods(["GET"])
@school_view(roles=MANAGE_IMPORTS)
def job_state(request: HttpRequest, job_id: int) -> HttpResponse:
    """The part of the job page that htmx polls while the job runs."""
    job = selectors.job_for_admin(school=request.school, job_id=job_id)  # type: ignore[attr-defined]
    return render(request, "imports/_job_state.html", _state_context(job))


@require_POST
@school_view(roles=MANAGE_IMPORTS)
def job_apply(request: HttpRequest, job_id: int) -> HttpResponse:
    job = services.import_apply_start(
        school=request.school, actor=request.user, roles=frozenset(request.roles), job_id=job_id  # type: ignore[attr-defined, arg-type]
    )
    return redirect("imports:job_detail", job_id=job.pk)


@require_http_methods(["GET"])
@school_view(roles=MANAGE_IMPORTS)
def template_csv(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty file with the right header row, to fill in or to compare with an export."""
    if kind not in REQUIRED:
        raise NotFound()
    columns = [*REQUIRED[kind], *OPTIONAL[kind]]
    response = HttpResponse("\ufeff" + ";".join(columns) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="krijt-{kind}.csv"'
    return response
