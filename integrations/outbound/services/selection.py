"""Which outbound use cases handle a catalog event: ``event_filter`` and ``ack_tracking`` (v1.33).

The filter is a JSONata predicate over the event as the mappings see it (payload plus the ``_event_*``
fields; relations are whatever the publisher embedded, the hub publishes hydrated events). A truthy
result selects the use case; false skips it and is recorded; a filter that throws counts as no match
and is logged, so one broken filter never blocks the other use cases. ACK tracking is per event: the
``_ack_id`` rows are suppressed only when every selected use case with an enabled mapping says ``off``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from integrations.mapping import jsonata as expressions
from integrations.models import UseCase
from integrations.setup.services.mapping_environment import expression_bindings

logger = logging.getLogger(__name__)

EVENT_FILTERED = "EVENT_FILTERED"
EVENT_FILTER_FAILED = "EVENT_FILTER_FAILED"


@dataclass
class Selection:
    use_cases: list[UseCase]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    track_acks: bool = True


def _truthy(value: Any) -> bool:
    """JSONata's boolean cast: empty string/array/object, 0, null and undefined are false."""
    if value is expressions.UNDEFINED or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | str | list | dict):
        return bool(value)
    return True


def enabled_mappings(use_case: UseCase) -> list[dict]:
    config = use_case.configuration if isinstance(use_case.configuration, dict) else {}
    return [m for m in config.get("mappings") or [] if isinstance(m, dict) and m.get("enabled", True) is True]


def select_use_cases(candidates: list[UseCase], source: dict[str, Any]) -> Selection:
    """The candidates whose ``event_filter`` matches ``source``, what was skipped, and whether to track."""
    selection = Selection(use_cases=[])
    for use_case in candidates:
        expression = (use_case.configuration or {}).get("event_filter")
        if not isinstance(expression, str) or not expression.strip():
            selection.use_cases.append(use_case)
            continue
        try:
            bindings = expression_bindings(expression, use_case.integration)  # $env, maps
            matched = _truthy(expressions.evaluate(expression, source, bindings))
        except expressions.ExpressionError as exc:
            message = f"event_filter failed, counted as no match: {exc.message}"
            logger.warning("use case %s: %s", use_case.pk, message)
            selection.skipped.append({"use_case_id": str(use_case.pk), "code": EVENT_FILTER_FAILED,
                                      "message": message})
            continue
        if matched:
            selection.use_cases.append(use_case)
        else:
            selection.skipped.append({"use_case_id": str(use_case.pk), "code": EVENT_FILTERED,
                                      "message": "event_filter did not match this event"})
    delivering = [uc for uc in selection.use_cases if enabled_mappings(uc)]
    selection.track_acks = any((uc.configuration or {}).get("ack_tracking", "on") != "off" for uc in delivering)
    return selection
