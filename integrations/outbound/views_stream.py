"""The stream page of an integration (pollable outbound): depth, age, last poll and ack, the blocked head
with unblock, the dead-letter queue with payload on demand and redrive, the visibility timeout, and a
consumer example. Every action is one call of ``integrations.outbound.services.stream``."""
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import editor_required, viewer_required
from integrations.configuration.poll_delivery import poll_mapping, poll_settings, transform_expression
from integrations.models import UseCase
from integrations.outbound.services import stream as outbound_stream


def _integration(request, integration_id):
    try:
        return outbound_stream.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)


def _poll_use_cases(integration):
    rows = []
    for use_case in UseCase.objects.filter(integration=integration, type="outbound").order_by("created_at", "id"):
        mapping = poll_mapping(use_case.configuration, enabled_only=False)
        if mapping is not None:
            rows.append({"use_case": use_case, "mapping": mapping, "settings": poll_settings(mapping),
                         "transform": transform_expression(mapping) is not None})
    return rows


@viewer_required
def stream_page(request, integration_id):
    integration = _integration(request, integration_id)
    overview = outbound_stream.stream_overview(integration)
    use_cases = _poll_use_cases(integration)
    statuses = outbound_stream.poll_statuses(integration, [str(row["use_case"].pk) for row in use_cases])
    for row in use_cases:
        row["status"] = statuses[str(row["use_case"].pk)]
    try:
        dlq = outbound_stream.list_dlq(request.organization, integration.pk,
                                       {"limit": 25, "next_token": request.GET.get("dlq") or None})
    except ApplicationError:
        dlq = outbound_stream.list_dlq(request.organization, integration.pk, {"limit": 25})
    names = {str(row["use_case"].pk): row["use_case"].name for row in use_cases}
    for item in dlq["items"]:
        item["use_case_name"] = names.get(item["use_case_id"], "")
    base = f"{request.scheme}://{request.get_host()}/v1/integrations/{integration.pk}/outbound/messages"
    oldest_age = (timezone.now() - overview.oldest_enqueued_at) if overview.oldest_enqueued_at else None
    return render(request, "integrations/stream.html", {
        "integration": integration,
        "tab": "stream",
        "overview": overview,
        "stream": overview.stream,
        "oldest_age_seconds": int(oldest_age.total_seconds()) if oldest_age else None,
        "use_cases": use_cases,
        "dlq": dlq,
        "dlq_first_page": not request.GET.get("dlq"),
        "can_operate": request.membership.allows("editor"),
        "base_url": base,
        "visibility_timeout": overview.stream.visibility_timeout_seconds if overview.stream else 300,
    })


@viewer_required
def dlq_payload(request, integration_id, message_id):
    """One DLQ entry's payload, fetched only when asked for (listings carry none)."""
    integration = _integration(request, integration_id)
    try:
        item = outbound_stream.get_dlq_item(request.organization, integration.pk, message_id)
    except NotFound as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=404)
    return JsonResponse({"id": item.message_id, "payload": item.payload}, json_dumps_params={"indent": 2})


@require_POST
@editor_required
def stream_unblock(request, integration_id):
    integration = _integration(request, integration_id)
    try:
        result = outbound_stream.unblock(request.organization, integration.pk,
                                         {"reason": request.POST.get("reason", "")[:500]})
    except ApplicationError as exc:
        messages.error(request, f"Not unblocked: {exc.message}")
        return redirect("ui-integrations:stream", integration_id=integration.pk)
    if result["unblocked"]:
        messages.success(request, f"Unblocked: {result['dead_lettered_id']} moved to the dead-letter queue.")
    else:
        messages.info(request, "The stream was not blocked (nothing to do).")
    return redirect("ui-integrations:stream", integration_id=integration.pk)


@require_POST
@editor_required
def stream_redrive(request, integration_id):
    integration = _integration(request, integration_id)
    ids = request.POST.getlist("ids")
    if not ids:
        messages.error(request, "Select at least one dead-lettered message to redrive.")
        return redirect("ui-integrations:stream", integration_id=integration.pk)
    try:
        result = outbound_stream.redrive(request.organization, integration.pk, {
            "ids": ids[:100], "reapply_mapping": request.POST.get("reapply_mapping") == "on"})
    except ApplicationError as exc:
        messages.error(request, f"Not redriven: {exc.message}")
        return redirect("ui-integrations:stream", integration_id=integration.pk)
    redriven = sum(1 for r in result["results"] if r["status"] == "redriven")
    missing = len(result["results"]) - redriven
    text = f"Redrove {redriven} message{'s' if redriven != 1 else ''} to the tail of the stream."
    if missing:
        text += f" {missing} no longer in the dead-letter queue."
    messages.success(request, text)
    return redirect("ui-integrations:stream", integration_id=integration.pk)


@require_POST
@editor_required
def stream_settings(request, integration_id):
    integration = _integration(request, integration_id)
    try:
        seconds = int(request.POST.get("visibility_timeout_seconds", ""))
    except ValueError:
        seconds = None
    try:
        outbound_stream.set_visibility_timeout(request.organization, integration.pk, seconds)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Visibility timeout set to {seconds} s (applies to the next lease).")
    return redirect("ui-integrations:stream", integration_id=integration.pk)
