"""Mapping plans: what a configuration needs to map any event, worked out once per configuration.

Without a plan every event re-checked each field spec, rebuilt every error path string and the
configuration warnings, deep-copied every value and walked every JSONata result for its depth. A plan holds
per entity the checked settings and per field its value source (constant, plain key, plain object path,
JSONata expression, or a special kind left to ``fields.field_value``) with the paths precomputed, so an event
only evaluates. Values are copied only where they can be shared with the payload or the configuration
(containers read by ``field``/``constant``/plain paths); expression results are the engine's fresh values.

Plans are cached by configuration *content* (a deep snapshot compared with ``==``, a C-level walk of a few
microseconds): one per use-case version, wherever the configuration dict comes from (a worker's batch, a
simulation request, an evaluation child that received a pickled copy). A configuration (or an entity of it)
that the plan builder does not accept is mapped by the unplanned path, which raises exactly as before.
Pure: no Django.
"""
from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from integrations.mapping.config_warnings import configuration_warnings
from integrations.mapping.evaluation import (
    _NOT_SIMPLE,
    EventScope,
    Item,
    expand,
    lookup,
    simple_path,
    truthy,
    walk,
)
from integrations.mapping.fields import (
    REPEATABLE_TYPES,
    FileProxyBuilder,
    detached,
    field_value,
    wrap_repeatable,
)
from integrations.mapping.jsonata import UNDEFINED
from integrations.mapping.results import ENTITY_MODES, MappingWarning

CONSTANT, KEY, PATH, EXPRESSION, SPECIAL = range(5)
_SPECIAL_KINDS = ("relations", "relation_refs", "file_proxy_url")
_CACHE_SIZE = 128


@dataclass(frozen=True)
class FieldPlan:
    attribute: str
    field_type: str | None
    enabled: Any  # None / True / False / expression text
    enabled_path: str
    kind: int
    source: Any  # constant value, key, expression text, or the spec (SPECIAL)
    steps: tuple | None  # PATH: the plain object path
    on_root: bool  # the source is evaluated on the original payload ($$...)
    path: str  # the field's path (SPECIAL) or its value's path (expressions)


@dataclass(frozen=True)
class EntityPlan:
    index: int
    fields: tuple[FieldPlan, ...]


@dataclass(frozen=True)
class MappingPlan:
    entities: tuple[EntityPlan | None, ...]  # None: map that entity by the unplanned path
    warnings: tuple[MappingWarning, ...]


_by_id: OrderedDict[int, tuple[Any, MappingPlan | None]] = OrderedDict()
_lock = threading.Lock()


def plan_for(configuration: Any) -> MappingPlan | None:
    """The plan of ``configuration`` (cached by content), or None when it has no entities list to plan."""
    entry = _by_id.get(id(configuration))
    if entry is not None and entry[0] == configuration:
        return entry[1]
    with _lock:
        found = next((cached for cached in _by_id.values() if cached[0] == configuration), None)
        if found is None:  # not the same content in another dict either (a new batch, a child)
            snapshot = copy.deepcopy(configuration)
            found = (snapshot, build_plan(snapshot))
        snapshot, plan = found
        _by_id[id(configuration)] = (snapshot, plan)
        _by_id.move_to_end(id(configuration))
        while len(_by_id) > _CACHE_SIZE:
            _by_id.popitem(last=False)
    return plan


def build_plan(configuration: Any) -> MappingPlan | None:
    if not isinstance(configuration, dict):
        return None
    entities = configuration.get("entities", [])
    if entities is None:
        entities = []
    if not isinstance(entities, list):
        return None
    return MappingPlan(tuple(_entity_plan(index, entity) for index, entity in enumerate(entities)),
                       tuple(configuration_warnings(entities)))


def warnings_of(plan: MappingPlan) -> list[MappingWarning]:
    return list(plan.warnings)  # MappingWarning values are never changed after creation


def _entity_plan(index: int, entity: Any) -> EntityPlan | None:
    """The fields of an entity whose settings are all valid; None leaves the entity to the unplanned path
    (which reports the problem at the same moment as without plans)."""
    if not isinstance(entity, dict) or entity.get("mode", "upsert") not in ENTITY_MODES:
        return None
    fields = entity.get("fields")
    if not isinstance(fields, list):
        return None
    planned = []
    for field_index, spec in enumerate(fields):
        field_plan = _field_plan(f"entities[{index}].fields[{field_index}]", spec)
        if field_plan is None:
            return None
        planned.append(field_plan)
    return EntityPlan(index, tuple(planned))


def _field_plan(path: str, spec: Any) -> FieldPlan | None:
    if not isinstance(spec, dict):
        return None
    attribute = spec.get("attribute")
    field_type = spec.get("_type")
    enabled = spec.get("enabled")
    if not isinstance(attribute, str) or not attribute or (field_type is not None and field_type not in
                                                            REPEATABLE_TYPES):
        return None
    if not (enabled is None or isinstance(enabled, bool | str)):
        return None
    common = {"attribute": attribute, "field_type": field_type, "enabled": enabled,
              "enabled_path": f"{path}.enabled"}
    if any(kind in spec for kind in _SPECIAL_KINDS):
        return FieldPlan(kind=SPECIAL, source=spec, steps=None, on_root=False, path=path, **common)
    if "constant" in spec:
        return FieldPlan(kind=CONSTANT, source=spec["constant"], steps=None, on_root=False, path=path, **common)
    if "jsonataExpression" in spec:
        text = spec["jsonataExpression"]
        if not isinstance(text, str):
            return None
        return _expression_plan(text, False, f"{path}.jsonataExpression", common)
    if "field" in spec:
        name = spec["field"]
        if not isinstance(name, str) or not name:
            return None
        if name.startswith("$"):
            return _expression_plan(name, name.startswith("$$"), f"{path}.field", common)
        return FieldPlan(kind=KEY, source=name, steps=None, on_root=False, path=f"{path}.field", **common)
    return None


def _expression_plan(text: str, on_root: bool, path: str, common: dict) -> FieldPlan:
    steps = simple_path(text)
    return FieldPlan(kind=PATH if steps is not None else EXPRESSION, source=text, steps=steps, on_root=on_root,
                     path=path, **common)


def map_planned_fields(scope: EventScope, plan: EntityPlan, item: Item,
                       file_proxy: FileProxyBuilder | None) -> tuple[dict[str, Any], dict[str, str]]:
    """``fields.map_fields`` for a planned entity: the same attributes and types."""
    attributes: dict[str, Any] = {}
    types: dict[str, str] = {}
    for field in plan.fields:
        enabled = field.enabled
        if enabled is not None and enabled is not True and (
                enabled is False or not truthy(scope.expression(enabled, item, field.enabled_path))):
            continue
        kind = field.kind
        shared = True  # the value may be the payload's or the configuration's own container
        if kind == KEY:
            value = lookup(item.value, field.source)
        elif kind == PATH:
            target = scope.root if field.on_root else item
            value = walk(target.value, field.steps)
            if value is _NOT_SIMPLE:
                value, shared = scope.expression(field.source, target, field.path), False
        elif kind == EXPRESSION:
            value = scope.expression(field.source, scope.root if field.on_root else item, field.path)
            shared = False
        elif kind == CONSTANT:
            value = field.source
        else:  # relations build fresh values (tags copied); relation refs may carry a payload's value
            value = field_value(scope, field.source, item, field.path, file_proxy)
            shared = "relations" not in field.source
        if value is UNDEFINED:
            continue
        if field.field_type is not None:
            value = wrap_repeatable(value, field.field_type)  # new containers around the same elements
            types[field.attribute] = field.field_type
        if shared and isinstance(value, dict | list):
            value = detached(value)
        attributes[field.attribute] = value
    return attributes, types


__all__ = ["EntityPlan", "FieldPlan", "MappingPlan", "expand", "map_planned_fields", "plan_for", "warnings_of"]
