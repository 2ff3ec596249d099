"""The editor's saved sample payloads (JSON endpoints used by static/js/usecase-editor.js) and the context
that opens a recorded event in the editor (``?event=<id>`` loads its payload into the simulation)."""
import json

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required
from integrations.inbound import browser as ui_events
from integrations.setup import selectors
from integrations.setup.services import sample_payloads


def _sample_json(sample) -> dict:
    return {"id": str(sample.pk), "name": sample.name, "format": sample.format, "payload": sample.payload,
            "updated_at": sample.updated_at.isoformat()}


def _use_case(request, integration_id, use_case_id):
    try:
        return selectors.get_use_case(request.organization, integration_id, use_case_id)
    except NotFound as exc:
        raise Http404(exc.message)


def _error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(exc.as_body(), status=exc.status_code)


@require_POST
@editor_required
def sample_save(request, integration_id, use_case_id):
    use_case = _use_case(request, integration_id, use_case_id)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"code": "BAD_REQUEST", "message": "Send a JSON object"}, status=400)
    try:
        sample = sample_payloads.save_sample(
            request.organization, use_case, name=body.get("name"), format=body.get("format") or "json",
            payload=body.get("payload"), actor=request.user.get_username(),
        )
    except ApplicationError as exc:
        return _error(exc)
    return JsonResponse({"sample": _sample_json(sample),
                         "samples": [_sample_json(s) for s in sample_payloads.list_samples(request.organization, use_case)]})


@require_POST
@editor_required
def sample_delete(request, integration_id, use_case_id, sample_id):
    use_case = _use_case(request, integration_id, use_case_id)
    try:
        sample_payloads.delete_sample(request.organization, use_case, sample_id)
    except ApplicationError as exc:
        return _error(exc)
    return JsonResponse({"samples": [_sample_json(s) for s in sample_payloads.list_samples(request.organization, use_case)]})


def editor_samples_context(request, use_case) -> dict:
    """Saved samples for the editor, and the payload it opens with: the event named by ``?event=``
    (another organisation's or an unknown event is a 404), else the most recently saved sample."""
    samples = sample_payloads.list_samples(request.organization, use_case)
    context = {"samples": [_sample_json(sample) for sample in samples], "sample_payload": "", "sample_format": "json",
               "opened_event": None}
    event_id = request.GET.get("event")
    if event_id:
        event = ui_events.get_event(request.organization, use_case.integration, event_id)
        if event is None:
            raise Http404("Event not found")
        ui_events.attach_errors(request.organization, [event])
        context |= {"sample_payload": ui_events.pretty_payload(event), "sample_format": event.format,
                    "opened_event": event}
    elif samples:
        context |= {"sample_payload": samples[0].payload, "sample_format": samples[0].format}
    return context
