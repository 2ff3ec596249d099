"""``map_inbound``/``map_v1`` under the JSONata memory budget, one round trip per event, with the size limits
of ``limits.py`` checked on every result.

With a budget configured (``memory_limit_mb``), a whole event is mapped in an evaluation child
(``isolation.py``): the engine's plain-Python steps and its JSONata evaluations all run there, so the
budget costs one round trip per event instead of one per expression. ``file_proxy_url`` fields are signed
here, in the serving process (the child gets a recording stand-in and returns placeholders).

When the child runs out of memory or dies, the event is mapped again here expression by expression (each
evaluation still in a child under the budget), so the error names the expression that exceeded it.
Without a budget these are the engine's functions, evaluated in-process.
"""
from __future__ import annotations

from typing import Any

from integrations.mapping import engine, isolation
from integrations.mapping import jsonata as expressions
from integrations.mapping.engine import RuntimeContext
from integrations.mapping.environment import MappingEnvironment
from integrations.mapping.limits import check_result_size
from integrations.mapping.results import MappingError, MappingResult

_GRACE_MS = 1000


def map_inbound(configuration: dict, data: Any, context: RuntimeContext | None = None, *,
                environment: MappingEnvironment | None = None) -> MappingResult:
    """``engine.map_inbound`` under the budget; ``environment`` (or the context's) travels to the child."""
    if environment is None and context is not None:
        environment = context.environment
    if not expressions.current_config().memory_limit_mb:
        return _sized(engine.map_inbound(configuration, data, context, environment=environment))
    builder = context.build_file_proxy_url if context is not None else None
    child_context = (context.org_id, context.integration_id) if builder is not None else None
    result = _in_child("map_inbound", (configuration, data), child_context, builder, {"environment": environment})
    if result is None:
        result = engine.map_inbound(configuration, data, context, environment=environment)
    return _sized(result)


def map_v1(mapping_configuration: dict, object_type: str, data: Any) -> MappingResult:
    if not expressions.current_config().memory_limit_mb:
        return _sized(engine.map_v1(mapping_configuration, object_type, data))
    result = _in_child("map_v1", (mapping_configuration, object_type, data), None, None)
    if result is None:
        result = engine.map_v1(mapping_configuration, object_type, data)
    return _sized(result)


def _sized(result: MappingResult) -> MappingResult:
    config = expressions.current_config()
    return check_result_size(result, config.max_value_bytes, config.max_event_bytes)


def _in_child(function: str, args: tuple, context: tuple | None, builder, keywords: dict | None = None
              ) -> MappingResult | None:
    """The child's result, or None when the child failed for memory (or died): map again in-process."""
    config = expressions.current_config()
    try:
        reply = expressions.isolation_pool().map_event(function, args, context,
                                                       config.event_timeout_ms + _GRACE_MS, keywords)
    except isolation.ChildFailed as exc:
        if exc.timeout:
            raise MappingError("JSONATA_ERROR", f"The mapping of this event exceeded its time limit of "
                               f"{config.event_timeout_ms} ms", {"jsonata": {"code": "D1012"}}) from None
        return None
    if reply[0] == "mapping_error":
        _, code, message, details = reply
        raise MappingError(code, message, details)
    if reply[0] == "error":  # MemoryError inside the child
        return None
    _, result, specs = reply
    if specs:
        _sign_file_proxy_urls(result, [builder(spec) for spec in specs])
    return result


def _sign_file_proxy_urls(result: MappingResult, urls: list[str]) -> None:
    """Replace the child's placeholders (whole attribute values) by the signed URLs."""
    placeholders = {isolation.FILE_PROXY_PLACEHOLDER % index: url for index, url in enumerate(urls)}

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return placeholders.get(value, value)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    for update in result.entity_updates:
        update.attributes = swap(update.attributes)
    for update in result.meter_readings_updates:
        for name, value in vars(update).items():
            setattr(update, name, swap(value))
