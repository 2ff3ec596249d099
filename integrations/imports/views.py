"""Imports pages: upload (drag and drop), preview, suggested use cases, validation report, execute with a
live progress bar, abort, delete, and the history of imports. Viewers read; editors act."""
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.imports import files
from integrations.imports.forms import ExecuteForm, UploadForm, ValidateForm
from integrations.imports.selectors import (
    inbound_use_case_choices,
    integration_name,
    progress_percent,
    recent_imports,
    status_summary,
)
from integrations.imports.services import dispatch, jobs, runs, storage
from integrations.imports.services.suggest import suggest
from integrations.imports.tasks import execute_import, validate_import


def _job_or_404(request, import_id):
    try:
        return jobs.get_import(request.organization, import_id)
    except NotFound as exc:
        raise Http404(exc.message)


@viewer_required
def import_list(request):
    form = UploadForm()
    return render(request, "imports/list.html", {
        "imports": recent_imports(request.organization), "form": form,
        "can_edit": request.membership.allows("editor"),
    })


@csrf_exempt  # CSRF is checked below, after the size-limit handler is in place (Django's documented way)
@require_POST
def import_upload(request):
    request.upload_handlers.insert(0, storage.SizeLimitHandler(request))
    return _upload(request)


@csrf_protect
@editor_required
def _upload(request):
    try:
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            reference = storage.save_upload(request.organization, form.cleaned_data["file"])
            job, _preview, _created = jobs.create_or_repoint(request.organization, reference, user=request.user)
            if request.headers.get("Accept") == "application/json":
                return JsonResponse({"url": f"/imports/{job.id}/"}, status=201)
            return redirect("ui-imports:detail", import_id=job.id)
        message = "; ".join(e for errors in form.errors.values() for e in errors)
    except ApplicationError as exc:
        message = exc.message.removeprefix("s3_reference: ").removeprefix("file: ")
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"message": message}, status=400)
    messages.error(request, message)
    return redirect("ui-imports:list")


@viewer_required
def import_detail(request, import_id):
    job = _job_or_404(request, import_id)
    preview = suggestions = None
    try:
        columns, rows = jobs.read_head(job.key, job.format)
        preview = {"columns": columns, "rows": rows}
        if job.format == "csv" and job.status in ("PENDING", "READY", "FAILED"):
            suggestions = suggest(job)["suggestions"]
    except (files.FileUnreadable, ApplicationError):
        preview = None
    choices = inbound_use_case_choices(request.organization)
    selected = f"{job.integration_id}|{job.use_case_slug}" if job.integration_id else None
    if selected is None and suggestions and suggestions[0]["matched_columns"]:
        selected = f"{suggestions[0]['integration_id']}|{suggestions[0]['use_case_slug']}"
    validation = job.validation or {}
    return render(request, "imports/detail.html", {
        "job": job, "preview": preview, "suggestions": suggestions, "validation": validation,
        "issues": validation.get("issues", []), "row_errors": validation.get("row_errors", []),
        "validate_form": ValidateForm(initial={"use_case": selected}, choices=choices),
        "execute_form": ExecuteForm(), "status": status_summary(job), "percent": progress_percent(job),
        "integration_name": integration_name(request.organization, job.integration_id) if job.integration_id else None,
        "can_edit": request.membership.allows("editor"),
    })


@viewer_required
def import_status(request, import_id):
    return JsonResponse(status_summary(_job_or_404(request, import_id)))


def _act(request, import_id, action):
    _job_or_404(request, import_id)
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("ui-imports:detail", import_id=import_id)


@editor_required
@require_POST
def import_validate(request, import_id):
    form = ValidateForm(request.POST, choices=inbound_use_case_choices(request.organization))
    if not form.is_valid():
        messages.error(request, "Choose the inbound use case whose mapping reads this file.")
        return redirect("ui-imports:detail", import_id=import_id)

    def start():
        job = jobs.start_validation(request.organization, import_id, *form.target())
        dispatch.start(validate_import, job.id, job.run_token)

    return _act(request, import_id, start)


@editor_required
@require_POST
def import_execute(request, import_id):
    form = ExecuteForm(request.POST)
    ack = form.is_valid() and form.cleaned_data["ack_warnings"]

    def start():
        job = jobs.start_execution(request.organization, import_id, ack_warnings=ack,
                                   current_fingerprint=runs.mapping_fingerprint)
        dispatch.start(execute_import, job.id, job.run_token)

    return _act(request, import_id, start)


@editor_required
@require_POST
def import_abort(request, import_id):
    return _act(request, import_id, lambda: jobs.abort_import(request.organization, import_id))


@editor_required
@require_POST
def import_delete(request, import_id):
    _job_or_404(request, import_id)
    jobs.delete_import(request.organization, import_id)
    messages.success(request, f"Import {import_id} deleted. Rows it already wrote stay written.")
    return redirect("ui-imports:list")
