"""simulateDirect (DOMAIN-1.33 2.1): validate a DirectPayload against a ``direct: true`` configuration and
preview the updates, persisting nothing. Every problem is collected (``valid: false``); 422 only when the
simulation cannot run (an invalid configuration)."""
from __future__ import annotations

from typing import Any

from erpintegration.exceptions import Unprocessable, ValidationFailed
from integrations.configuration import ConfigurationInvalid, validate_configuration
from integrations.mapping.direct import simulate_direct


def simulate_direct_payload(*, event_configuration: dict, payload: Any) -> dict:
    if event_configuration.get("direct") is not True:
        raise ValidationFailed("event_configuration.direct: must be true (simulateDirect simulates direct mode; "
                               "use simulateMappingV2 for mapped use cases)")
    try:
        configuration = validate_configuration("inbound", event_configuration, root="event_configuration")
    except ConfigurationInvalid as exc:
        issues = exc.details
        raise Unprocessable(exc.message, code="INVALID_CONFIGURATION",
                            details={"path": issues[0]["path"] if issues else None, "issues": issues}) from None
    return simulate_direct(configuration, payload)
