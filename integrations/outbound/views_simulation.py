"""The outbound editor's live simulation endpoint: draft mappings + a catalog event payload -> the body
and headers each webhook would get (``services.outbound_simulation``); persists and sends nothing."""
import json

from django.http import Http404, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import viewer_required
from integrations.configuration import ConfigurationInvalid
from integrations.outbound.services import simulation as outbound_simulation
from integrations.setup import selectors, simulation_panel


def panel_context(organization, body: dict, integration=None) -> dict:
    configuration = body.get("configuration")
    if isinstance(configuration, str):
        if not configuration.strip():
            return simulation_panel.failure("NO_CONFIGURATION", "The configuration is empty: add a mapping.")
        try:
            configuration = json.loads(configuration)
        except json.JSONDecodeError as exc:
            message = f"The configuration is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            return simulation_panel.failure("INVALID_JSON", message, [{"path": "configuration", "message": message}])
    try:
        result = outbound_simulation.simulate_outbound(organization, configuration, body.get("payload"), integration)
    except ConfigurationInvalid as exc:
        issues = simulation_panel.issues_of({"issues": exc.details})
        return simulation_panel.failure("INVALID_CONFIGURATION", exc.message, issues)
    except ApplicationError as exc:
        return simulation_panel.failure(exc.code, exc.message)
    issues = []
    for mapping in result["mappings"]:
        mapping["body_pretty"] = simulation_panel.pretty(mapping["body"]) if mapping["body"] is not None else ""
        if mapping["jsonata"]:
            issues.append(simulation_panel.issues_of({"path": mapping["path"], "jsonata": mapping["jsonata"]})[0])
    return {"ok": True, "outbound": True, "event_name": result["event_name"], "mappings": result["mappings"],
            "issues": issues}


@require_POST
@viewer_required
def simulate_outbound(request, integration_id):
    try:
        integration = selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("expected an object")
    except ValueError:
        return JsonResponse({"code": "BAD_REQUEST", "message": "Send a JSON object"}, status=400)
    context = panel_context(request.organization, body, integration)
    html = render_to_string("integrations/_outbound_simulation_result.html", context, request=request)
    return JsonResponse({"ok": context["ok"] and not context["issues"], "html": html, "issues": context["issues"]})
