"""The v2.0 inbound mapping (docs/mapping.md) and the v1.0 objects format, over parsed payloads.

One engine for simulation, the UI's live preview and production processing: what a consultant sees is
what runs. ``context=None`` means simulation (``file_proxy_url`` fields are skipped).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integrations.mapping.config_warnings import configuration_warnings
from integrations.mapping.environment import MappingEnvironment
from integrations.mapping.evaluation import EventScope, config_error, expand
from integrations.mapping.fields import (
    FileProxyBuilder,
    map_fields,
    resolve_unique_ids,
    scalar_id,
    unique_id_key,
)
from integrations.mapping.jsonata import UNDEFINED
from integrations.mapping.meter_readings import map_meter_readings, reason_warnings
from integrations.mapping.plan import EntityPlan, map_planned_fields, plan_for, warnings_of
from integrations.mapping.results import (
    ENTITY_MODES,
    EntityUpdate,
    MappingError,
    MappingResult,
    MappingWarning,
    PruneScope,
)
from integrations.mapping.v1 import map_v1_objects

PRUNE_ACTIONS = {"upsert-prune-scope-delete": "delete", "upsert-prune-scope-purge": "purge"}


@dataclass
class RuntimeContext:
    """Where an event is processed: gives ``file_proxy_url`` fields the org and integration, and every
    expression the environment (``$env``, maps, portals) loaded by the service layer."""

    org_id: str
    integration_id: str
    build_file_proxy_url: Callable[[dict], str] | None = None
    environment: MappingEnvironment | None = None


def map_inbound(configuration: dict, data: Any, context: RuntimeContext | None = None, *,
                environment: MappingEnvironment | None = None) -> MappingResult:
    """Map one parsed payload with a v2.0 inbound configuration (``{entities, meter_readings}``).

    ``environment`` (or the context's) is what ``$env``, ``env_var_ref`` and ``portal_ref`` read; the
    simulation passes the same one a worker would load, so what a consultant sees is what runs."""
    if not isinstance(configuration, dict):
        raise config_error("configuration", "must be an object")
    entities = configuration.get("entities", [])
    readings = configuration.get("meter_readings", [])
    if entities is None:
        entities = []
    if readings is None:
        readings = []
    if not isinstance(entities, list):
        raise config_error("entities", "must be an array")
    if not isinstance(readings, list):
        raise config_error("meter_readings", "must be an array")
    builder = context.build_file_proxy_url if context is not None else None
    if environment is None and context is not None:
        environment = context.environment
    scope = EventScope(data, environment)
    plan = plan_for(configuration)  # built once per configuration content
    result = MappingResult(warnings=warnings_of(plan) if plan is not None else configuration_warnings(entities))
    for index, entity in enumerate(entities):
        _map_entity(scope, index, entity, builder, result, plan.entities[index] if plan is not None else None)
    for index, reading in enumerate(readings):
        updates, prunes = map_meter_readings(scope, index, reading, builder)
        result.meter_readings_updates.extend(updates)
        result.meter_reading_prunes.extend(prunes)
    result.warnings.extend(scope.warnings)
    result.warnings.extend(reason_warnings(result.meter_readings_updates))
    return result


def map_v1(mapping_configuration: dict, object_type: str, data: Any) -> MappingResult:
    """simulateMapping: the v1.0 objects format, or the legacy ``{version: "2.0", mapping: {events}}``."""
    if not isinstance(mapping_configuration, dict):
        raise config_error("mapping_configuration", "must be an object")
    mapping = mapping_configuration.get("mapping")
    if not isinstance(mapping, dict):
        raise config_error("mapping_configuration.mapping", "is required and must be an object")
    version = mapping_configuration.get("version", "1.0")
    if version == "2.0" or ("events" in mapping and "objects" not in mapping):
        events = mapping.get("events")
        if not isinstance(events, dict):
            raise config_error("mapping_configuration.mapping.events", "is required and must be an object")
        if object_type not in events:
            raise MappingError(
                "UNKNOWN_OBJECT_TYPE",
                f"object_type {object_type!r} is not an event of mapping_configuration.mapping.events "
                f"(known: {', '.join(sorted(events)) or 'none'})",
                {"path": "object_type"},
            )
        try:
            return map_inbound(events[object_type], data)
        except MappingError as exc:
            raise prefix_error_path(exc, f"mapping_configuration.mapping.events.{object_type}") from None
    if version != "1.0":
        raise config_error("mapping_configuration.version", "must be 1.0 or 2.0")
    return map_v1_objects(EventScope(data), mapping, object_type)


def prefix_error_path(exc: MappingError, prefix: str) -> MappingError:
    """The same error with its configuration path under ``prefix`` (e.g. ``event_configuration``)."""
    path = exc.details.get("path")
    if not path or exc.code not in ("INVALID_CONFIGURATION", "JSONATA_ERROR", "MISSING_UNIQUE_IDENTIFIERS",
                                    "INVALID_METER_READING"):
        return exc
    full = f"{prefix}.{path}"
    message = exc.message.replace(path, full, 1) if exc.message.startswith(path) else exc.message
    return MappingError(exc.code, message, {**exc.details, "path": full})


def _map_entity(scope: EventScope, index: int, entity: Any, builder: FileProxyBuilder | None,
                result: MappingResult, entity_plan: EntityPlan | None = None) -> None:
    path = f"entities[{index}]"
    if not isinstance(entity, dict):
        raise config_error(path, "must be an object")
    schema = entity.get("entity_schema")
    if not isinstance(schema, str) or not schema:
        raise config_error(f"{path}.entity_schema", "is required and must be a non-empty string")
    unique_ids = entity.get("unique_ids")
    if not isinstance(unique_ids, list) or not unique_ids or not all(isinstance(u, str) and u for u in unique_ids):
        raise config_error(f"{path}.unique_ids", "is required and must be a non-empty array of attribute names")
    mode = entity.get("mode", "upsert")
    if mode not in ENTITY_MODES:
        raise config_error(f"{path}.mode", f"must be one of {', '.join(ENTITY_MODES)}")
    if not isinstance(entity.get("fields"), list):
        raise config_error(f"{path}.fields", "is required and must be an array")
    scope.entity_schema = schema

    data = scope.payload
    if "jsonataExpression" in entity:
        data = scope.expression(entity["jsonataExpression"], scope.root, f"{path}.jsonataExpression")
    whole = scope.item(data)
    if not scope.enabled(entity.get("enabled"), whole, f"{path}.enabled"):
        return
    if mode in PRUNE_ACTIONS:
        prune = _prune_scope(scope, entity, index, schema, mode, path, result)
        if prune is not None:
            result.prune_scopes.append(prune)
    for item_index, value in enumerate(expand(data)):
        item = whole if value is data else scope.item(value)
        if entity_plan is not None:
            attributes, types = map_planned_fields(scope, entity_plan, item, builder)
        else:
            attributes, types = map_fields(scope, entity["fields"], item, path, builder)
        identifiers = _unique_identifiers(unique_ids, attributes, types, schema, path, item_index)
        result.entity_updates.append(EntityUpdate(
            entity_slug=schema, unique_identifiers=identifiers, attributes=attributes, mode=mode,
            config_index=index,
        ))


def _unique_identifiers(unique_ids: list[str], attributes: dict, types: dict, schema: str, path: str,
                        item_index: int) -> dict[str, Any]:
    identifiers: dict[str, Any] = {}
    missing: list[str] = []
    for name in unique_ids:
        field_type = types.get(name)
        value = scalar_id(attributes[name], field_type) if name in attributes else UNDEFINED
        if value is UNDEFINED:
            missing.append(name)
        else:
            identifiers[unique_id_key(name, field_type)] = value
    if missing:
        raise MappingError(
            "MISSING_UNIQUE_IDENTIFIERS",
            f"{path} ({schema}, item {item_index}): missing unique identifiers: {', '.join(missing)} "
            "(each must be mapped by a field and have a non-empty value)",
            {"path": path, "entity_schema": schema, "item": item_index, "missing": missing},
        )
    return identifiers


def _prune_scope(scope: EventScope, entity: dict, index: int, schema: str, mode: str, path: str,
                 result: MappingResult) -> PruneScope | None:
    """The scope of a prune mode, resolved against the original payload; None (and a warning) if unresolvable."""
    spath = f"{path}.scope"
    cfg = entity.get("scope")
    if not isinstance(cfg, dict):
        raise config_error(spath, f"is required for mode {mode}")
    scope_mode = cfg.get("scope_mode")
    action = PRUNE_ACTIONS[mode]
    if scope_mode == "relations":
        scope_schema = cfg.get("schema")
        if not isinstance(scope_schema, str) or not scope_schema:
            raise config_error(f"{spath}.schema", "is required for scope_mode relations")
        ids, missing = resolve_unique_ids(scope, cfg.get("unique_ids"), scope.root, f"{spath}.unique_ids")
        if missing:
            result.warnings.append(MappingWarning(schema, "scope", f"{spath}: the scope entity's unique ids "
                                                  f"{', '.join(missing)} have no value in the payload; "
                                                  "nothing will be pruned"))
            return None
        return PruneScope(schema, action, "relations", index, scope_schema=scope_schema, scope_unique_ids=ids)
    if scope_mode == "query":
        query, missing = resolve_unique_ids(scope, cfg.get("query"), scope.root, f"{spath}.query")
        if missing:
            result.warnings.append(MappingWarning(schema, "scope", f"{spath}: query attributes "
                                                  f"{', '.join(missing)} have no value in the payload; "
                                                  "nothing will be pruned"))
            return None
        return PruneScope(schema, action, "query", index, query=query)
    raise config_error(f"{spath}.scope_mode", "is required and must be relations or query")
