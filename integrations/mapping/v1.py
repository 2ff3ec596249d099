"""The v1.0 objects format: ``mapping.objects[object_type] = {unique_ids, fields[{entity, attribute, …}]}``.

One update per entity slug. Array-form unique ids name attributes mapped in ``fields``; object-form
unique ids ``{<remote payload key>: <local attribute>}`` copy the payload value into the identifier
(and into the attributes, except ``_id`` which is a lookup key, not an attribute).
"""
from __future__ import annotations

from typing import Any

from integrations.mapping.evaluation import EventScope, config_error, lookup
from integrations.mapping.fields import detached, scalar_id
from integrations.mapping.jsonata import UNDEFINED
from integrations.mapping.results import EntityUpdate, MappingError, MappingResult


def map_v1_objects(scope: EventScope, mapping: dict, object_type: str) -> MappingResult:
    objects = mapping.get("objects")
    if not isinstance(objects, dict):
        raise config_error("mapping_configuration.mapping.objects", "is required and must be an object")
    if object_type not in objects:
        raise MappingError(
            "UNKNOWN_OBJECT_TYPE",
            f"object_type {object_type!r} is not an object of mapping_configuration.mapping.objects "
            f"(known: {', '.join(sorted(objects)) or 'none'})",
            {"path": "object_type"},
        )
    path = f"mapping_configuration.mapping.objects.{object_type}"
    obj = objects[object_type]
    if not isinstance(obj, dict):
        raise config_error(path, "must be an object")
    unique_ids = obj.get("unique_ids")
    fields = obj.get("fields")
    if not isinstance(unique_ids, dict):
        raise config_error(f"{path}.unique_ids", "is required and must be an object")
    if not isinstance(fields, list):
        raise config_error(f"{path}.fields", "is required and must be an array")

    attributes_by_entity: dict[str, dict[str, Any]] = {}
    for index, spec in enumerate(fields):
        fpath = f"{path}.fields[{index}]"
        if not isinstance(spec, dict):
            raise config_error(fpath, "must be an object")
        entity, attribute = spec.get("entity"), spec.get("attribute")
        if not isinstance(entity, str) or not entity:
            raise config_error(f"{fpath}.entity", "is required and must be a non-empty string")
        if not isinstance(attribute, str) or not attribute:
            raise config_error(f"{fpath}.attribute", "is required and must be a non-empty string")
        if ("field" in spec) == ("jsonataExpression" in spec):
            raise config_error(fpath, "needs exactly one of field or jsonataExpression")
        attributes = attributes_by_entity.setdefault(entity, {})
        if "field" in spec:
            value = scope.field(spec["field"], scope.root, f"{fpath}.field")
        else:
            value = scope.expression(spec["jsonataExpression"], scope.root, f"{fpath}.jsonataExpression")
        if value is not UNDEFINED:
            attributes[attribute] = detached(value)

    result = MappingResult()
    for entity in [*attributes_by_entity, *(e for e in unique_ids if e not in attributes_by_entity)]:
        attributes = attributes_by_entity.get(entity, {})
        identifiers = _identifiers(scope, unique_ids.get(entity), attributes, f"{path}.unique_ids.{entity}", entity)
        result.entity_updates.append(EntityUpdate(entity, identifiers, attributes))
    return result


def _identifiers(scope: EventScope, spec: Any, attributes: dict, path: str, entity: str) -> dict[str, Any]:
    identifiers: dict[str, Any] = {}
    missing: list[str] = []
    if spec is None:
        missing.append("(no unique_ids configured for this entity)")
    elif isinstance(spec, list):
        for name in spec:
            if not isinstance(name, str):
                raise config_error(path, "must list attribute names")
            value = scalar_id(attributes.get(name, UNDEFINED))
            if value is UNDEFINED:
                missing.append(name)
            else:
                identifiers[name] = value
    elif isinstance(spec, dict):
        for remote, local in spec.items():
            if not isinstance(local, str) or not local:
                raise config_error(f"{path}.{remote}", "must name a local attribute")
            value = scalar_id(lookup(scope.payload, remote))
            if value is UNDEFINED:
                missing.append(remote)
                continue
            identifiers[local] = value
            if local != "_id":
                attributes.setdefault(local, value)
    else:
        raise config_error(path, "must be an array of attribute names or an object {remote key: attribute}")
    if missing:
        raise MappingError(
            "MISSING_UNIQUE_IDENTIFIERS",
            f"{path} ({entity}): missing unique identifiers: {', '.join(missing)}",
            {"path": path, "entity_schema": entity, "missing": missing},
        )
    return identifiers
