"""The event browser: every event of the organisation or of one integration, with filters, one event's
detail and payload, and replay. Views parse input, call one selector or service, and render."""
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from erpintegration.ui.access import editor_required, found_or_404, viewer_required
from integrations.inbound import browser as ui_events
from integrations.inbound.forms import EventFilterForm
from integrations.inbound.services import accept as inbound
from integrations.setup import selectors

# --- Event browser ----------------------------------------------------------------------------------------


def _event_filters(request, integration):
    form = EventFilterForm(
        request.GET or None,
        use_cases=selectors.list_use_cases(request.organization, integration.pk) if integration else [],
        integrations=None if integration else selectors.list_integrations(request.organization),
    )
    filters = ui_events.EventFilters(integration=integration)
    if form.is_valid():
        data = form.cleaned_data
        filters.status = data.get("status") or ""
        filters.since = data.get("since")
        filters.until = data.get("until")
        filters.correlation_id = data.get("correlation_id") or ""
        filters.group_id = data.get("group_id") or ""
        filters.q = data.get("q") or ""
        filters.use_case = form.use_case_object()
        filters.integration = integration or form.integration_object()
    return form, filters


@viewer_required
def event_list(request, integration_id=None):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id) if integration_id else None
    form, filters = _event_filters(request, integration)
    page = ui_events.event_page(request.organization, filters, request.GET.get("cursor"))
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "events/list.html",
        {
            "integration": integration,
            "form": form,
            "page": page,
            "filtered": any(value for key, value in request.GET.items() if key != "cursor"),
            "query": query.urlencode(),
            "can_replay": integration is not None and request.membership.allows("editor"),
            "api_base": request.build_absolute_uri("/").rstrip("/"),
        },
        status=400 if form.errors else 200,
    )


def _event_or_404(request, integration_id, event_id):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    event = ui_events.get_event(request.organization, integration, event_id)
    if event is None:
        raise Http404("No such event")
    return integration, event


@viewer_required
def event_detail(request, integration_id, event_id):
    integration, event = _event_or_404(request, integration_id, event_id)
    detail = ui_events.event_detail(request.organization, event)
    return render(
        request,
        "events/detail.html",
        {
            "integration": integration,
            "detail": detail,
            "event": event,
            "payload_pretty": ui_events.pretty_payload(event),
            "can_replay": request.membership.allows("editor"),
        },
    )


@viewer_required
def event_payload(request, integration_id, event_id):
    """The raw payload of one event, for the simulation's "pick a recorded event"."""
    _, event = _event_or_404(request, integration_id, event_id)
    return JsonResponse({"payload": event.payload, "format": event.format})


@require_POST
@editor_required
def event_replay(request, integration_id):
    integration = found_or_404(selectors.get_integration, request.organization, integration_id)
    event_ids = request.POST.getlist("event_ids")[: ui_events.PAGE_SIZE]
    if not event_ids:
        messages.error(request, "Select the events to replay.")
    else:
        outcomes = inbound.replay_events(request.organization, integration.pk, event_ids)
        messages.success(request, ui_events.replay_summary(outcomes))
    target = request.POST.get("next") or reverse("ui-events:list", kwargs={"integration_id": integration.pk})
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("ui-events:list", kwargs={"integration_id": integration.pk})
    return redirect(target)
