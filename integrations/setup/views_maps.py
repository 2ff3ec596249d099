"""The Maps tab of an integration: key/value lookup tables (``maps``), edited as tables of rows.

The page renders every map as a card with a table of key/value rows; a small script
(``static/js/maps-editor.js``) adds and removes rows and maps and sends the whole list as JSON in one
field, so the server validates exactly what the API would (``services/maps.py``) and saves it with the
same service. Without the script the JSON field itself is editable.
"""
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from erpintegration.exceptions import ApplicationError, NotFound
from erpintegration.ui.access import forbidden, viewer_required
from integrations.setup import selectors
from integrations.setup.services import integrations as integration_services
from integrations.setup.services import maps as map_rules


def _rows(value: dict) -> list[dict]:
    """The rows of a map for the table: key, the value as text, and its JSON type."""
    rows = []
    for key, item in (value or {}).items():
        kind = ("null" if item is None else "boolean" if isinstance(item, bool)
                else "number" if isinstance(item, int | float) else "string")
        rows.append({"key": key, "value": "" if item is None else json.dumps(item) if kind != "string" else item,
                     "type": kind})
    return rows


def _cards(maps) -> list[dict]:
    return [{**item, "rows": _rows(item.get("value") if isinstance(item.get("value"), dict) else {})}
            for item in maps if isinstance(item, dict)]


@viewer_required
def integration_maps(request, integration_id):
    try:
        integration = selectors.get_integration(request.organization, integration_id)
    except NotFound as exc:
        raise Http404(exc.message)
    can_edit = request.membership.allows("editor")
    maps, issues, raw = integration.maps or [], [], None
    if request.method == "POST":
        if not can_edit:
            return forbidden(request, "Changing maps needs the editor role.")
        raw = request.POST.get("maps", "")
        try:
            maps = json.loads(raw or "[]")
        except json.JSONDecodeError as exc:
            issues = [("maps", f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")]
            maps = integration.maps or []
        else:
            issues = map_rules.map_issues(maps, map_rules.environment_keys(integration.environment_config))
        if not issues:
            try:
                integration_services.update_integration(request.organization, integration,
                                                        {"maps": map_rules.clean_maps(maps)})
            except ApplicationError as exc:
                issues = [("maps", exc.message)]
            else:
                messages.success(request, f"Maps saved ({len(maps)} map{'s' if len(maps) != 1 else ''}).")
                return redirect("ui-integrations:maps", integration_id=integration.pk)
    cards = _cards(maps if isinstance(maps, list) else [])
    return render(request, "integrations/maps.html", {
        "integration": integration, "tab": "maps", "can_edit": can_edit, "cards": cards,
        "issues": [{"path": p, "message": m} for p, m in issues],
        "maps_json": raw if raw is not None and issues else json.dumps(integration.maps or [], indent=2,
                                                                       ensure_ascii=False),
        "max_maps": map_rules.MAX_MAPS,
    }, status=400 if issues else 200)
