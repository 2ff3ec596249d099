"""simulateMappingV2 / simulateMapping: map a payload with a configuration, persisting nothing.

The same engine as production processing, without a runtime context (``file_proxy_url`` is skipped).
Configuration, payload and expression errors become ``Unprocessable`` (422) naming the place.
"""
from __future__ import annotations

from typing import Any

from erpintegration.exceptions import Unprocessable
from integrations.mapping.engine import map_inbound, map_v1
from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError

try:  # the configuration validator (pure module) written in parallel; the engine also fails cleanly alone
    from integrations.configuration import ConfigurationInvalid, validate_configuration, validate_v1_mapping
except ImportError:  # pragma: no cover - until integrations.configuration is merged
    ConfigurationInvalid = None
    validate_configuration = validate_v1_mapping = None


def simulate_mapping_v2(*, event_configuration: dict, format: str, payload: Any) -> dict:  # noqa: A002
    """The ``MappingSimulationResponse`` for a v2.0 inbound configuration."""
    with _unprocessable():
        configuration = event_configuration
        if validate_configuration is not None:
            configuration = validate_configuration("inbound", event_configuration)
        data = parse_payload(payload, format)
        return map_inbound(configuration, data).to_contract()


def simulate_mapping(*, mapping_configuration: dict, object_type: str, format: str, payload: Any) -> dict:  # noqa: A002
    """The ``MappingSimulationResponse`` for a v1.0 objects mapping or the legacy v2.0 events wrapper."""
    with _unprocessable():
        configuration = mapping_configuration
        if validate_v1_mapping is not None:
            configuration = validate_v1_mapping(mapping_configuration) or mapping_configuration
        data = parse_payload(payload, format)
        return map_v1(configuration, object_type, data).to_contract()


class _unprocessable:
    """Turn engine and validator errors into a 422 with code, message and details."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, MappingError):
            raise Unprocessable(exc.message, code=exc.code, details=exc.details or None) from None
        if ConfigurationInvalid is not None and isinstance(exc, ConfigurationInvalid):
            issues = [_issue(issue) for issue in getattr(exc, "issues", [])]
            raise Unprocessable(exc.message, code="INVALID_CONFIGURATION", details={"issues": issues}) from None
        return False


def _issue(issue: Any) -> dict:
    if isinstance(issue, dict):
        return {"path": issue.get("path"), "message": issue.get("message")}
    if isinstance(issue, list | tuple) and len(issue) == 2:
        return {"path": issue[0], "message": issue[1]}
    return {"path": getattr(issue, "path", None), "message": getattr(issue, "message", str(issue))}
