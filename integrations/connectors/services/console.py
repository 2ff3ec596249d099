"""The "try it" console of a managed call: run it for real and return what was sent and received, masked."""
from __future__ import annotations

from erpintegration.exceptions import ApplicationError
from integrations.connectors.services.managed_calls import execute_managed_call


def try_managed_call(organization, use_case, payload) -> dict:
    """``{ok, request?, response?, result?, error?, duration_ms?}``; every secret is already masked."""
    if not isinstance(payload, dict):
        return {"ok": False, "error": {"code": "VALIDATION_ERROR", "message": "payload: must be a JSON object"}}
    if not use_case.enabled:
        return {"ok": False, "error": {"code": "USE_CASE_DISABLED",
                                       "message": "the use case is disabled; enable it to try it"}}
    try:
        outcome = execute_managed_call(organization, use_case.slug, use_case.integration_id, payload)
    except ApplicationError as exc:
        trace = dict(getattr(exc, "trace", {}) or {})
        trace.setdefault("error", {"code": exc.code, "message": exc.message})
        return {"ok": False, "status": exc.status_code, **trace}
    trace = dict(outcome.trace)
    if outcome.inbound_event_id:
        trace["inbound_event_id"] = outcome.inbound_event_id
    return {"ok": True, "status": 200, **trace}
