"""Field mappings of one item: plain values, ``_type`` wrapping, relations, relation refs, file proxy URLs."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from integrations.mapping.evaluation import EventScope, Item, config_error
from integrations.mapping.jsonata import UNDEFINED
from integrations.mapping.references import env_var_ref_value, portal_ref_value

OPERATIONS = ("_set", "_append", "_append_all")
REPEATABLE_TYPES = ("email", "phone")
SPECIAL_KINDS = ("relations", "relation_refs", "file_proxy_url", "env_var_ref", "portal_ref")

FileProxyBuilder = Callable[[dict], str]


def map_fields(
    scope: EventScope,
    fields: Any,
    item: Item,
    path: str,
    file_proxy: FileProxyBuilder | None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The attributes of one item, and the ``_type`` of each typed attribute that got a value."""
    if not isinstance(fields, list):
        raise config_error(f"{path}.fields", "must be an array")
    attributes: dict[str, Any] = {}
    types: dict[str, str] = {}
    for index, spec in enumerate(fields):
        fpath = f"{path}.fields[{index}]"
        if not isinstance(spec, dict):
            raise config_error(fpath, "must be an object")
        attribute = spec.get("attribute")
        if not isinstance(attribute, str) or not attribute:
            raise config_error(f"{fpath}.attribute", "is required and must be a non-empty string")
        field_type = spec.get("_type")
        if field_type is not None and field_type not in REPEATABLE_TYPES:
            raise config_error(f"{fpath}._type", f"must be one of {', '.join(REPEATABLE_TYPES)}")
        if not scope.enabled(spec.get("enabled"), item, f"{fpath}.enabled"):
            continue
        if "env_var_ref" in spec:
            value = env_var_ref_value(scope, spec["env_var_ref"], attribute, f"{fpath}.env_var_ref")
        elif "portal_ref" in spec:
            value = portal_ref_value(scope, spec["portal_ref"], attribute, f"{fpath}.portal_ref")
        else:
            value = field_value(scope, spec, item, fpath, file_proxy)
        if value is UNDEFINED:
            continue
        if field_type is not None:
            value = wrap_repeatable(value, field_type)
            types[attribute] = field_type
        attributes[attribute] = detached(value)
    return attributes, types


def detached(value: Any) -> Any:
    """An independent copy of a JSON-like value.

    Values read by ``field``/``constant`` (and ``_tags`` of relations) are the payload's and the
    configuration's own lists and dicts; the entity store applies ``_append`` etc. to what it gets, so it
    must never share them (nor one attribute's list with another's).
    """
    if isinstance(value, dict):
        return {key: detached(child) for key, child in value.items()}
    if isinstance(value, list):
        return [detached(child) for child in value]
    return value


def field_value(scope: EventScope, spec: dict, item: Item, path: str, file_proxy: FileProxyBuilder | None) -> Any:
    if "relations" in spec:
        return relations_value(scope, spec["relations"], item, f"{path}.relations")
    if "relation_refs" in spec:
        return relation_refs_value(scope, spec["relation_refs"], item, f"{path}.relation_refs")
    if "file_proxy_url" in spec:
        return file_proxy_url_value(scope, spec["file_proxy_url"], item, f"{path}.file_proxy_url", file_proxy)
    if not any(key in spec for key in ("constant", "jsonataExpression", "field")):
        raise config_error(path, "needs one of constant, jsonataExpression, field, relations, relation_refs "
                                 "or file_proxy_url")
    return scope.value_of(spec, item, path)


def wrap_repeatable(value: Any, field_type: str) -> Any:
    """``"a@b.c"`` -> ``[{"email": "a@b.c"}]``; scalar arrays element-wise; objects and array ops kept."""
    if value is None:
        return None
    if isinstance(value, dict):
        op = _array_operation(value)
        if op:
            return {op: _wrap_list(value[op], field_type)}
        return [value]
    if isinstance(value, list):
        return _wrap_list(value, field_type)
    return [{field_type: value}]


def _wrap_list(values: Any, field_type: str) -> Any:
    if not isinstance(values, list):
        values = [values]
    return [v if isinstance(v, dict) else {field_type: v} for v in values if v is not None]


def _array_operation(value: dict) -> str | None:
    if len(value) == 1:
        (key,) = value
        if key in OPERATIONS:
            return key
    return None


def unique_id_key(attribute: str, field_type: str | None) -> str:
    """``_type`` ids search inside the repeatable values: ``email`` -> ``email.email``."""
    return f"{attribute}.{field_type}" if field_type else attribute


def resolve_unique_ids(scope: EventScope, specs: Any, item: Item, path: str) -> tuple[dict[str, Any], list[str]]:
    """``RelationUniqueIdField[]`` resolved on ``item``: (ids, names of the ids without a value)."""
    if not isinstance(specs, list) or not specs:
        raise config_error(path, "must be a non-empty array")
    ids: dict[str, Any] = {}
    missing: list[str] = []
    for index, spec in enumerate(specs):
        upath = f"{path}[{index}]"
        if not isinstance(spec, dict):
            raise config_error(upath, "must be an object")
        attribute = spec.get("attribute")
        if not isinstance(attribute, str) or not attribute:
            raise config_error(f"{upath}.attribute", "is required and must be a non-empty string")
        field_type = spec.get("_type")
        if field_type is not None and field_type not in REPEATABLE_TYPES:
            raise config_error(f"{upath}._type", f"must be one of {', '.join(REPEATABLE_TYPES)}")
        value = scalar_id(scope.value_of(spec, item, upath), field_type)
        key = unique_id_key(attribute, field_type)
        if value is UNDEFINED:
            missing.append(key)
        else:
            ids[key] = value
    return ids, missing


def scalar_id(value: Any, field_type: str | None = None) -> Any:
    """The searchable scalar of an identifier value, or UNDEFINED when there is none."""
    if isinstance(value, list) and len(value) >= 1:
        value = value[0]
    if isinstance(value, dict) and field_type and field_type in value:
        value = value[field_type]
    if value is UNDEFINED or value is None or value == "" or isinstance(value, list | dict):
        return UNDEFINED
    return value


def relations_value(scope: EventScope, config: Any, item: Item, path: str) -> Any:
    """``{"$relation": {op: [{"$entity_unique_ids", "_schema", "_tags"?}]}}``, unresolved."""
    return _unresolved_items("$relation", _relation_item, scope, config, item, path)


def _unresolved_items(key: str, build_item, scope: EventScope, config: Any, item: Item, path: str) -> Any:
    """``{key: {op: [built item, ...]}}`` for a relations / relation_refs config (items or an expression)."""
    operation, specs = _items_config(scope, config, item, path)
    if specs is UNDEFINED:
        return UNDEFINED
    out = []
    for index, spec in specs:
        ipath = f"{path}.items[{index}]" if index is not None else f"{path}.jsonataExpression"
        built = build_item(scope, spec, item, ipath)
        if built is not None:
            out.append(built)
    if not out and "items" in config:
        return UNDEFINED  # no related entity identifiable in this payload: leave the attribute alone
    return {key: {operation: out}}


def _relation_item(scope: EventScope, spec: Any, item: Item, path: str) -> dict | None:
    if not isinstance(spec, dict):
        raise config_error(path, "must be a relation item object")
    if "$entity_unique_ids" in spec:  # already in output form (built by a jsonataExpression)
        schema = spec.get("_schema") or spec.get("entity_schema")
        ids = spec["$entity_unique_ids"]
        if not isinstance(schema, str) or not isinstance(ids, dict) or not ids:
            raise config_error(path, "needs _schema and a non-empty $entity_unique_ids object")
        relation = {"$entity_unique_ids": ids, "_schema": schema}
    else:
        schema = spec.get("entity_schema")
        if not isinstance(schema, str) or not schema:
            raise config_error(f"{path}.entity_schema", "is required and must be a non-empty string")
        ids, missing = resolve_unique_ids(scope, spec.get("unique_ids"), item, f"{path}.unique_ids")
        if missing:
            return None
        relation = {"$entity_unique_ids": ids, "_schema": schema}
    tags = spec.get("_tags")
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise config_error(f"{path}._tags", "must be an array of strings")
        relation["_tags"] = list(tags)  # the configuration's own list must not reach the store
    return relation


def relation_refs_value(scope: EventScope, config: Any, item: Item, path: str) -> Any:
    """``{"$relation_ref": {op: [{"$entity_unique_ids", "_schema", "path", "value": {...}}]}}``, unresolved."""
    return _unresolved_items("$relation_ref", _relation_ref_item, scope, config, item, path)


def _relation_ref_item(scope: EventScope, spec: Any, item: Item, path: str) -> dict | None:
    if not isinstance(spec, dict):
        raise config_error(path, "must be a relation reference item object")
    schema = spec.get("entity_schema")
    if not isinstance(schema, str) or not schema:
        raise config_error(f"{path}.entity_schema", "is required and must be a non-empty string")
    ref_path = spec.get("path")
    if not isinstance(ref_path, str) or not ref_path:
        raise config_error(f"{path}.path", "is required and must be a non-empty string")
    value_spec = spec.get("value")
    if not isinstance(value_spec, dict):
        raise config_error(f"{path}.value", "is required and must be an object")
    attribute = value_spec.get("attribute")
    if not isinstance(attribute, str) or not attribute:
        raise config_error(f"{path}.value.attribute", "is required and must be a non-empty string")
    operation = value_spec.get("operation", "_set")
    if operation not in OPERATIONS:
        raise config_error(f"{path}.value.operation", f"must be one of {', '.join(OPERATIONS)}")
    ids, missing = resolve_unique_ids(scope, spec.get("unique_ids"), item, f"{path}.unique_ids")
    if missing:
        return None
    value = scope.value_of(value_spec, item, f"{path}.value")
    if value is UNDEFINED:
        return None
    return {
        "$entity_unique_ids": ids,
        "_schema": schema,
        "path": ref_path,
        "value": {"attribute": attribute, "operation": operation, "value": value},
    }


def _items_config(scope: EventScope, config: Any, item: Item, path: str):
    """(operation, [(index | None, item spec)]) from ``items`` or a ``jsonataExpression``."""
    if not isinstance(config, dict):
        raise config_error(path, "must be an object")
    operation = config.get("operation")
    if operation not in OPERATIONS:
        raise config_error(f"{path}.operation", f"is required and must be one of {', '.join(OPERATIONS)}")
    if "items" in config:
        items = config["items"]
        if not isinstance(items, list):
            raise config_error(f"{path}.items", "must be an array")
        return operation, list(enumerate(items))
    if "jsonataExpression" in config:
        result = scope.expression(config["jsonataExpression"], item, f"{path}.jsonataExpression")
        if result is UNDEFINED or result is None:
            return operation, UNDEFINED
        if isinstance(result, dict):
            result = [result]
        if not isinstance(result, list):
            raise config_error(f"{path}.jsonataExpression", "must return an array of item objects")
        return operation, [(None, spec) for spec in result]
    raise config_error(path, "needs items or jsonataExpression")


def file_proxy_url_value(
    scope: EventScope, config: Any, item: Item, path: str, builder: FileProxyBuilder | None
) -> Any:
    """The download URL from the runtime context; UNDEFINED (skipped) in simulation."""
    if not isinstance(config, dict):
        raise config_error(path, "must be an object")
    has_slug, has_id = "use_case_slug" in config, "use_case_id" in config
    if has_slug == has_id:
        raise config_error(path, "needs exactly one of use_case_slug or use_case_id")
    key = "use_case_slug" if has_slug else "use_case_id"
    if not isinstance(config[key], str) or not config[key]:
        raise config_error(f"{path}.{key}", "must be a non-empty string")
    params_spec = config.get("params") or {}
    if not isinstance(params_spec, dict):
        raise config_error(f"{path}.params", "must be an object")
    if builder is None:
        return UNDEFINED
    params: dict[str, str] = {}
    for name, spec in params_spec.items():
        ppath = f"{path}.params.{name}"
        if not isinstance(spec, dict):
            raise config_error(ppath, "must be an object with field, constant or jsonataExpression")
        value = scope.value_of(spec, item, ppath)
        if value is UNDEFINED:
            continue
        params[name] = url_param_string(value)
    return builder({key: config[key], "params": params})


def url_param_string(value: Any) -> str:
    """Stringify a param value like JavaScript's ``String()`` would for JSON values."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
