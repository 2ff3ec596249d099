"""Finding entities by unique identifiers and by attribute equality.

PostgreSQL: JSON containment (``attributes @> {...}``) served by the GIN ``jsonb_path_ops`` index; one
index covers every attribute, scalar and repeatable. SQLite has no containment lookup in Django, so the
same conditions are written with ``json_each``/``json_extract`` (correct, not indexed).

Key forms (the mapping contract): ``"attr"`` equality (a scalar equal to the value, or an array holding it);
``"attr.sub"`` searches inside repeatable values (``email.email``: ``attributes.email[*].email``);
``"_id"`` is the entity id.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from entities.models import Entity

SCALARS = (str, int, float, bool)


def parse_entity_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _json_path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sqlite_condition(attribute: str, sub: str | None, values: list[Any]) -> RawSQL:
    """EXISTS over json_each: the attribute (scalar or array elements) or a sub-key of its object elements."""
    column = '"entities_entity"."attributes"'
    placeholders = ", ".join(["%s"] * len(values))
    params: list[Any] = [_json_path(attribute)]
    if sub is None:
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({column}, %s) AS je "
            f"WHERE (je.key IS NULL OR typeof(je.key) = 'integer') AND je.type NOT IN ('object', 'array') "
            f"AND je.value IN ({placeholders}))"
        )
    else:
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({column}, %s) AS je "
            f"WHERE (je.key IS NULL OR typeof(je.key) = 'integer') "
            f"AND (CASE WHEN je.type = 'object' THEN json_extract(je.value, %s) END) IN ({placeholders}))"
        )
        params.append(_json_path(sub))
    params.extend(values)
    return RawSQL(sql, params, output_field=BooleanField())


def _split(key: str) -> tuple[str, str | None]:
    attribute, dot, sub = key.partition(".")
    return (attribute, sub) if dot and attribute and sub else (key, None)


def _sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def attribute_condition(vendor: str, key: str, values: list[Any]) -> Q | None:
    """A filter for ``key`` equal to any of ``values`` (scalars), or None if it cannot be expressed in SQL."""
    attribute, sub = _split(key)
    if not values:
        return None
    if vendor == "postgresql":
        q = Q()
        for value in values:
            q |= Q(attributes__contains={attribute: value}) if sub is None else Q(
                attributes__contains={attribute: [{sub: value}]}
            )
        return q
    if not all(isinstance(v, SCALARS) for v in values):
        return None
    return Q(_sqlite_condition(attribute, sub, [_sql_value(v) for v in values]))


def _python_match(attributes: dict, key: str, value: Any) -> bool:
    attribute, sub = _split(key)
    stored = attributes.get(attribute)
    items = stored if isinstance(stored, list) else [stored]
    if sub is None:
        return stored == value or (isinstance(stored, list) and value in stored)
    return any(isinstance(item, dict) and item.get(sub) == value for item in items)


def unique_id_queryset(organization, schema: str, unique_ids: dict[str, Any], *, include_deleted=False):
    """(queryset, python_checks): entities of ``schema`` matching every identifier (AND).

    ``python_checks`` are identifiers with non-scalar values on SQLite, verified on the candidates.
    """
    qs: QuerySet = Entity.objects.filter(organization=organization, schema=schema)
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    vendor = connections[qs.db].vendor
    python_checks: dict[str, Any] = {}
    for key, value in unique_ids.items():
        if key == "_id":
            entity_id = parse_entity_id(value)
            qs = qs.filter(pk=entity_id) if entity_id else qs.none()
            continue
        if vendor == "postgresql" or isinstance(value, SCALARS):
            condition = attribute_condition(vendor, key, [value])
            qs = qs.filter(condition)
        else:
            python_checks[key] = value
    return qs, python_checks


def find_by_unique_ids(organization, schema: str, unique_ids: dict[str, Any], *, limit=2, for_update=False):
    """Up to ``limit`` live entities matching the identifiers. ``limit=2`` tells 0/1/many apart."""
    qs, python_checks = unique_id_queryset(organization, schema, unique_ids)
    if for_update:
        qs = qs.select_for_update()
    if not python_checks:
        return list(qs[:limit])
    found = []
    for entity in qs.iterator():
        if all(_python_match(entity.attributes, k, v) for k, v in python_checks.items()):
            found.append(entity)
            if len(found) >= limit:
                break
    return found


def filter_value_candidates(raw: str) -> list[Any]:
    """A query-string value as the JSON values it may stand for: ``"42"`` matches "42" and 42."""
    candidates: list[Any] = [raw]
    try:
        parsed = json.loads(raw)
    except ValueError:
        return candidates
    if isinstance(parsed, bool | int | float) and parsed not in candidates:
        candidates.append(parsed)
    return candidates


def attribute_filter(queryset: QuerySet, key: str, raw: str) -> QuerySet:
    """Read-API equality filter: ``?external_id=X`` (scalar or array element) or ``?email=a@b.c`` (also
    matches repeatable values ``email[].email``)."""
    vendor = connections[queryset.db].vendor
    values = filter_value_candidates(raw)
    condition = attribute_condition(vendor, key, values)
    if "." not in key:
        repeatable = attribute_condition(vendor, f"{key}.{key}", values)
        condition = condition | repeatable
    return queryset.filter(condition)
