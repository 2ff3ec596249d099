"""Export (download) and import (upload) of use cases in the UI (``services.transfer``)."""
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.setup import selectors
from integrations.transfer.services import transfer

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _integration(request, integration_id):
    try:
        return selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)


@viewer_required
def export_download(request, integration_id):
    integration = _integration(request, integration_id)
    document = transfer.export_integration(request.organization, integration)
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json")
    filename = f"{slugify(integration.name) or 'integration'}-use-cases.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@editor_required
def import_upload(request, integration_id=None):
    """Upload an export: into this integration (``integration_id``) or as a new one."""
    integration = _integration(request, integration_id) if integration_id else None
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose an export file (.json) first."
        elif upload.size > MAX_UPLOAD_BYTES:
            error = f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        else:
            try:
                document = json.loads(upload.read().decode("utf-8"))
                report = transfer.import_document(request.organization, document, into=integration,
                                                  actor=request.user.get_username())
            except (UnicodeDecodeError, ValueError) as exc:
                error = f"Not a JSON file: {exc}"
            except ApplicationError as exc:
                error = exc.message
            else:
                summary = f"Imported: {len(report.created)} use case(s) created, {len(report.updated)} updated."
                messages.success(request, summary)
                for warning in report.warnings:
                    messages.warning(request, warning)
                return redirect("ui-integrations:detail", integration_id=report.integration.pk)
    return render(request, "integrations/import.html", {"integration": integration, "error": error},
                  status=400 if error else 200)
