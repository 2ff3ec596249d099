"""simulateMappingV2 / simulateMapping: map a payload with a configuration, persisting nothing.

The same engine as production processing, without a runtime context (``file_proxy_url`` is skipped).
Configuration, payload and expression errors become ``Unprocessable`` (422) naming the place:
``details = {"path": ..., ...}``; configuration validation adds ``issues: [{path, message}, ...]``.
"""
from __future__ import annotations

from typing import Any

from erpintegration.exceptions import Unprocessable, ValidationFailed
from integrations.configuration import ConfigurationInvalid, validate_configuration, validate_v1_mapping
from integrations.mapping.bounded import map_inbound, map_v1
from integrations.mapping.direct import simulate_direct as simulate_direct_operations
from integrations.mapping.engine import prefix_error_path
from integrations.mapping.environment import MappingEnvironment
from integrations.mapping.payload import parse_payload
from integrations.mapping.results import MappingError


def simulate_mapping_v2(*, event_configuration: dict, format: str, payload: Any,  # noqa: A002
                        environment: MappingEnvironment | None = None) -> dict:
    """The ``MappingSimulationResponse`` for a v2.0 inbound configuration; ``environment`` is what a worker
    would load for the integration (``services.mapping_environment``), so ``$env``, maps, ``env_var_ref``
    and ``portal_ref`` resolve as they will at runtime."""
    with _unprocessable():
        configuration = validate_configuration("inbound", event_configuration, root="event_configuration")
        data = parse_payload(payload, format)
        try:
            return map_inbound(configuration, data, environment=environment).to_contract()
        except MappingError as exc:
            raise prefix_error_path(exc, "event_configuration") from None


def simulate_mapping(*, mapping_configuration: dict, object_type: str, format: str, payload: Any) -> dict:  # noqa: A002
    """The ``MappingSimulationResponse`` for a v1.0 objects mapping or the legacy v2.0 events wrapper."""
    with _unprocessable():
        configuration = validate_v1_mapping(mapping_configuration, root="mapping_configuration")
        data = parse_payload(payload, format)
        return map_v1(configuration, object_type, data).to_contract()


def simulate_direct(*, event_configuration: dict, payload: Any) -> dict:
    """simulateDirect (docs/inbound.md, direct mode): the ``DirectSimulationResponse`` of a payload for a
    ``direct: true`` configuration. Every problem is collected (``valid: false``); 422 only when the
    simulation cannot run (an invalid configuration); 400 for a configuration that is not direct."""
    if event_configuration.get("direct") is not True:
        raise ValidationFailed("event_configuration.direct: must be true (simulateDirect simulates direct mode; "
                               "use simulateMappingV2 for mapped use cases)")
    with _unprocessable():
        configuration = validate_configuration("inbound", event_configuration, root="event_configuration")
    return simulate_direct_operations(configuration, payload)


class _unprocessable:
    """Turn engine and validator errors into a 422 with code, message and details."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, MappingError):
            raise Unprocessable(exc.message, code=exc.code, details=exc.details or None) from None
        if isinstance(exc, ConfigurationInvalid):
            issues = exc.details
            details = {"path": issues[0]["path"] if issues else None, "issues": issues}
            raise Unprocessable(exc.message, code="INVALID_CONFIGURATION", details=details) from None
        return False
