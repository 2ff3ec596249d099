"""The live simulation panel: run the draft configuration over a sample payload with the production
mapping engine (``integrations.setup.services.simulation``) and shape the outcome for the template."""
import json
import re
from typing import Any

from erpintegration.exceptions import ApplicationError

FORMATS = ("json", "xml")
SERVICE_ROOT = "event_configuration"  # the simulation service names paths after its request field


def editor_path(path: Any) -> str:
    """A service path as the editor names its inputs (``configuration.entities[0]...``)."""
    path = str(path or "")
    if path == SERVICE_ROOT or path.startswith((SERVICE_ROOT + ".", SERVICE_ROOT + "[")):
        return "configuration" + path[len(SERVICE_ROOT):]
    return path


_POSITION_IN_MESSAGE = re.compile(r"\(([STDU]\d{4}), position (\d+)\)")


def jsonata_message(jsonata: dict) -> str:
    """``T1006 at position 5: Attempted to invoke a non-function: $foo`` (the engine's own words)."""
    code, position = jsonata.get("code"), jsonata.get("position")
    where = f" at position {position}" if isinstance(position, int) else ""
    return f"{code or 'JSONata error'}{where}: {jsonata.get('message') or 'evaluation failed'}"


def _issue(item: dict) -> dict:
    """One problem for the editor to place under its field; ``position`` (characters into the
    expression, just after the offending token) lets the code editor draw its lint marker there."""
    issue = {"path": editor_path(item.get("path")), "message": str(item.get("message") or "")}
    jsonata = item.get("jsonata")
    if isinstance(jsonata, dict):
        issue["message"] = issue["message"] or jsonata_message(jsonata)
        issue["code"] = jsonata.get("code")
        if isinstance(jsonata.get("position"), int):
            issue["position"] = jsonata["position"]
    else:
        match = _POSITION_IN_MESSAGE.search(issue["message"])
        if match:  # a syntax error found by configuration validation
            issue["code"], issue["position"] = match.group(1), int(match.group(2))
    return issue


def issues_of(details: Any) -> list[dict]:
    if isinstance(details, dict):
        details = details.get("issues") or ([details] if details.get("path") else [])
    if not isinstance(details, list):
        return []
    return [_issue(item) for item in details if isinstance(item, dict)]


def _expression_marker(jsonata: dict) -> dict | None:
    """Split the failing expression at the error position so the template can point at it."""
    expression = jsonata.get("expression")
    position = jsonata.get("position")
    if not isinstance(expression, str) or not expression:
        return None
    if not isinstance(position, int) or not 0 <= position <= len(expression):
        return {"before": expression, "at": "", "after": "", "position": None}
    # Engines report the position just after the offending token; point at the character before it.
    index = max(position - 1, 0)
    return {
        "before": expression[:index],
        "at": expression[index : index + 1] or " ",
        "after": expression[index + 1 :],
        "position": position,
    }


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _without_path(message: str, path: Any) -> str:
    """``event_configuration.entities[0]: no unique id`` -> ``no unique id`` (the path is shown apart)."""
    prefix = f"{path}: " if path else ""
    return message[len(prefix):] if prefix and message.startswith(prefix) else message


def failure(code: str, message: str, issues: list[dict] | None = None, details: Any = None) -> dict:
    jsonata = details.get("jsonata") if isinstance(details, dict) else None
    if not isinstance(jsonata, dict):
        jsonata = None
    service_path = details.get("path") if isinstance(details, dict) else None
    # A problem without its own words (e.g. MISSING_UNIQUE_IDENTIFIERS) says what the error says.
    issues = [issue if issue.get("message") else {**issue, "message": f"{code}: {_without_path(message, service_path)}"}
              for issue in issues or []]
    return {
        "ok": False,
        "error": {
            "code": code,
            "message": jsonata.get("message") or message if jsonata else message,
            "jsonata_code": jsonata.get("code") if jsonata else None,
            "path": editor_path(details.get("path")) if isinstance(details, dict) and details.get("path") else None,
            "marker": _expression_marker(jsonata) if jsonata else None,
        },
        "issues": issues or [],
    }


def simulation_context(service, body: dict, environment=None) -> dict:
    """``{ok, result|error, issues}`` for ``_simulation_result.html``; ``service`` is the simulation module."""
    fmt = body.get("format") or "json"
    if fmt not in FORMATS:
        return failure("INVALID_FORMAT", "format must be json or xml")
    configuration = body.get("configuration")
    if isinstance(configuration, str):
        if not configuration.strip():
            return failure("NO_CONFIGURATION", "The configuration is empty: add an entity to map.")
        try:
            configuration = json.loads(configuration)
        except json.JSONDecodeError as exc:
            message = f"The configuration is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
            return failure("INVALID_JSON", message, [{"path": "configuration", "message": message}])
    payload = body.get("payload")
    if not isinstance(payload, str) or not payload.strip():
        return failure("NO_PAYLOAD", "Paste a sample payload, upload a file or pick a recorded event.")
    if isinstance(configuration, dict) and configuration.get("direct") is True:
        return direct_context(service, configuration, payload, fmt)
    try:
        result = service.simulate_mapping_v2(event_configuration=configuration, format=fmt, payload=payload,
                                             environment=environment)
    except ApplicationError as exc:
        return failure(exc.code, exc.message, issues_of(exc.details), exc.details)
    updates = [
        {**update, "attributes_pretty": pretty(update.get("attributes")), "ids_pretty": pretty(update.get("unique_identifiers"))}
        for update in result.get("entity_updates", [])
    ]
    readings = [{**reading, "pretty": pretty(reading)} for reading in result.get("meter_readings_updates", []) or []]
    return {
        "ok": True,
        "entity_updates": updates,
        "meter_readings": readings,
        "prunes": [{"pretty": pretty(prune)} for prune in (result.get("prune_scope_updates") or [])
                   + (result.get("meter_readings_prune_scope_updates") or [])],
        "warnings": result.get("warnings", []) or [],
        "raw": pretty(result),
        "issues": [],
    }


def direct_context(service, configuration: dict, payload: str, fmt: str) -> dict:
    """A direct-mode configuration: the sample is a DirectPayload, checked by simulateDirect (every error)."""
    if fmt != "json":
        return failure("DIRECT_PAYLOAD_INVALID", "payload: direct use cases accept JSON only, not format 'xml'")
    try:
        result = service.simulate_direct(event_configuration=configuration, payload=payload)
    except ApplicationError as exc:
        return failure(exc.code, exc.message, issues_of(exc.details), exc.details)
    if not result["valid"]:
        context = failure(result["errors"][0]["code"], "The direct payload is invalid.")
        context["direct_errors"] = result["errors"]
        return context
    updates = [{**update, "attributes_pretty": pretty(update.get("attributes"))}
               for update in result.get("entity_updates", [])]
    readings = [{**reading, "pretty": pretty(reading)} for reading in result.get("meter_reading_updates", [])]
    return {"ok": True, "direct": True, "entity_updates": updates, "meter_readings": readings, "prunes": [],
            "warnings": result.get("warnings", []) or [], "raw": pretty(result), "issues": []}
