"""Replay all events matching the event browser's filter as a background job; its progress page and the
small JSON endpoint the page polls."""
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from erpintegration.exceptions import NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.inbound.filters import EventCriteria
from integrations.inbound.forms import EventFilterForm
from integrations.inbound.services import replay_jobs
from integrations.setup import selectors


def _integration(request, integration_id):
    try:
        return selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)


def _job(request, integration, job_id):
    try:
        return replay_jobs.get_job(request.organization, integration, job_id)
    except NotFound as exc:
        raise Http404(exc.message)


@require_POST
@editor_required
def replay_all(request, integration_id):
    integration = _integration(request, integration_id)
    form = EventFilterForm(request.POST, use_cases=selectors.list_use_cases(request.organization, integration.pk))
    if not form.is_valid():
        messages.error(request, "The filter is not valid: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
        return redirect("ui-events:list", integration_id=integration.pk)
    data = form.cleaned_data
    use_case = form.use_case_object()
    criteria = EventCriteria(
        status=data.get("status") or "", use_case_id=str(use_case.pk) if use_case else "",
        since=data.get("since"), until=data.get("until"), correlation_id=data.get("correlation_id") or "",
        q=data.get("q") or "",
    )
    job = replay_jobs.start_replay_job(request.organization, integration, criteria, actor=request.user.get_username())
    return redirect("ui-events:replay-job", integration_id=integration.pk, job_id=job.pk)


def job_json(job) -> dict:
    return {"id": str(job.pk), "status": job.status, "total": job.total, "done": job.done, "replayed": job.replayed,
            "errors": job.errors, "percent": job.percent, "finished": job.finished, "message": job.message}


@viewer_required
def replay_job(request, integration_id, job_id):
    integration = _integration(request, integration_id)
    job = _job(request, integration, job_id)
    return render(request, "events/replay_job.html", {"integration": integration, "job": job,
                                                      "criteria": job.criteria, "job_json": job_json(job)})


@viewer_required
def replay_job_status(request, integration_id, job_id):
    job = _job(request, _integration(request, integration_id), job_id)
    response = JsonResponse(job_json(job))
    response["Cache-Control"] = "no-store"
    return response
