"""Entity rows: identity locks, find by unique ids, insert and update rows, relation edge rows, sync stamps.

The building blocks of ``upsert.py`` and ``relations.py``; imports neither."""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from django.db import connections

from entities.models import Entity, EntityRelation
from entities.services.context import WriteContext
from entities.services.errors import StoreError
from entities.services.lookup import SCALARS, find_by_unique_ids, parse_entity_id
from entities.services.lookup import _split as split_key
from entities.services.operations import json_equal


def identity_lock_key(organization, schema: str, unique_ids: dict[str, Any]) -> int:
    key = repr((organization.pk, schema, sorted((k, repr(v)) for k, v in unique_ids.items())))
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def lock_identities(ctx: WriteContext, schema: str, identities: list[dict[str, Any]]) -> None:
    """Serialise concurrent writers of the same identities (PostgreSQL, transaction-scoped advisory locks) so
    two events cannot both create one entity."""
    lock_keys(ctx, {identity_lock_key(ctx.organization, schema, ids) for ids in identities})


def lock_keys(ctx: WriteContext, keys: set[int]) -> None:
    """Take the identity locks of ``keys`` this transaction does not hold yet, in one statement and in sorted
    order (no lock-order deadlocks among them)."""
    connection = connections[Entity.objects.db]
    missing = keys - ctx.locked
    if connection.vendor != "postgresql" or not missing:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [sorted(missing)])
    ctx.locked |= missing


def lock_identity(ctx: WriteContext, schema: str, unique_ids: dict[str, Any]) -> None:
    lock_identities(ctx, schema, [unique_ids])


def find_one(ctx: WriteContext, schema: str, unique_ids: dict[str, Any], config_index: int, *,
             for_update: bool = False) -> Entity | None:
    """0 -> None, 1 -> the entity, more -> UNIQUE_ID_MULTIPLE_MATCHES; a lone ``_id`` must exist.
    ``for_update``: the lookup also row-locks what it finds (one statement)."""
    if not unique_ids:
        raise StoreError(
            "MISSING_UNIQUE_IDENTIFIERS",
            f"No unique identifiers given for '{schema}'",
            {"entity_schema": schema, "config_index": config_index},
        )
    matches = find_by_unique_ids(ctx.organization, schema, unique_ids, for_update=for_update)
    if len(matches) > 1:
        raise StoreError(
            "UNIQUE_ID_MULTIPLE_MATCHES",
            f"More than one '{schema}' entity matches the unique identifiers {unique_ids}",
            {
                "entity_schema": schema,
                "unique_identifiers": unique_ids,
                "config_index": config_index,
                "entity_ids": [str(e.id) for e in matches],
            },
        )
    if not matches and set(unique_ids) == {"_id"}:
        raise StoreError(
            "ENTITY_NOT_FOUND",
            f"No '{schema}' entity with id {unique_ids['_id']}",
            {"entity_schema": schema, "unique_identifiers": unique_ids, "config_index": config_index},
        )
    return matches[0] if matches else None


def identity_attributes(unique_ids: dict[str, Any]) -> dict[str, Any]:
    """The attributes a new entity gets from its identifiers: ``email.email: v`` -> ``email: [{email: v}]``."""
    out: dict[str, Any] = {}
    for key, value in unique_ids.items():
        if key == "_id":
            continue
        attribute, dot, sub = key.partition(".")
        if dot and sub:
            out.setdefault(attribute, [])
            if isinstance(out[attribute], list):
                out[attribute].append({sub: value})
        else:
            out[key] = value
    return out


def is_relation_value(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and ("$relation" in value or "$relation_ref" in value)


def sync_relation_edges(entity: Entity, keys: set[str], *, created: bool = False) -> None:
    """Rebuild the edge rows of ``entity`` for the relation attributes in ``keys`` (a ``created`` entity has none
    to drop). Edges to entities that do not exist (in the organisation) are left out, in the same statement."""
    if not keys:
        return
    if not created:
        EntityRelation.objects.filter(source=entity, attribute__in=keys).delete()
    edges = []
    for key in sorted(keys):
        value = entity.attributes.get(key)
        if not isinstance(value, dict):
            continue
        for kind, marker in (("relation", "$relation"), ("relation_ref", "$relation_ref")):
            for item in value.get(marker) or []:
                target = parse_entity_id(item.get("entity_id")) if isinstance(item, dict) else None
                if target:
                    edges.append((target, key, kind))
    if edges:
        _insert_edges(entity, edges)


def _insert_edges(entity: Entity, edges: list[tuple]) -> None:
    connection = connections[EntityRelation.objects.db]
    quote = connection.ops.quote_name
    pk = Entity._meta.pk
    values = ", ".join(["(%s, %s, %s, %s)"] * len(edges))
    sql = (f"INSERT INTO {quote(EntityRelation._meta.db_table)} "
           f"({quote('organization_id')}, {quote('source_id')}, {quote('target_id')}, {quote('attribute')}, "
           f"{quote('kind')}) "
           f"SELECT e.{quote('organization_id')}, %s, e.{quote('id')}, v.column2, v.column3 "
           f"FROM {quote(Entity._meta.db_table)} e JOIN (VALUES {values}) AS v ON e.{quote('id')} = v.column1 "
           f"WHERE e.{quote('organization_id')} = %s ORDER BY v.column4")
    params: list[Any] = [pk.get_db_prep_value(entity.pk, connection)]
    for position, (target, attribute, kind) in enumerate(edges):
        params += [pk.get_db_prep_value(target, connection), attribute, kind, position]
    params.append(entity.organization_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


SYNCED_FIELDS = ("last_synced_at",)
UPDATED_FIELDS = ("attributes", "updated_at", "last_synced_at", "last_event_id", "last_integration_id")


def insert_entity(entity: Entity) -> None:
    """``entity.save(force_insert=True)`` as one prepared INSERT: the ORM's save machinery (signals, field
    walks, the insert compiler) cost several times the statement. Entity has no signal receivers."""
    connection = connections[Entity.objects.db]
    quote = connection.ops.quote_name
    fields = Entity._meta.concrete_fields
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Entity._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(entity, add=True), connection) for f in fields])
    entity._state.adding = False
    entity._state.db = connection.alias


def _recordset(connection, fields) -> str:
    """``jsonb_to_recordset(%s::jsonb) AS v(col type, ...)``: all rows as one JSON parameter. One C-speed
    ``json.dumps`` instead of binding rows x columns parameters (or arrays whose every element psycopg quotes
    with a regular expression)."""
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} {f.db_type(connection)}" for f in fields)
    return f"jsonb_to_recordset(%s::jsonb) AS v({columns})"


def _json_rows(entities: list[Entity], fields, *, add: bool = False) -> str:
    rows = []
    for entity in entities:
        row = {}
        for f in fields:
            value = f.pre_save(entity, add=True) if add else getattr(entity, f.attname)
            if isinstance(value, uuid.UUID):
                value = str(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            row[f.column] = value
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def insert_rows(entities: list[Entity]) -> None:
    """New entities in one INSERT: on PostgreSQL ``INSERT ... SELECT ... FROM jsonb_to_recordset(...)``, one
    parameter however many rows (``bulk_create`` binds and quotes rows x columns)."""
    connection = connections[Entity.objects.db]
    if len(entities) < 2 or connection.vendor != "postgresql":
        Entity.objects.bulk_create(entities)
        return
    quote = connection.ops.quote_name
    fields = Entity._meta.concrete_fields
    names = ", ".join(quote(f.column) for f in fields)
    sql = "INSERT INTO {} ({}) SELECT {} FROM {}".format(quote(Entity._meta.db_table), names,
                                                          ", ".join(f"v.{quote(f.column)}" for f in fields),
                                                          _recordset(connection, fields))
    with connection.cursor() as cursor:
        cursor.execute(sql, [_json_rows(entities, fields, add=True)])
    for entity in entities:
        entity._state.adding = False
        entity._state.db = connection.alias


def update_rows(entities: list[Entity], field_names: tuple[str, ...]) -> None:
    """Write ``field_names`` of ``entities``: on PostgreSQL one ``UPDATE ... FROM jsonb_to_recordset(...)``,
    elsewhere one parameterised UPDATE run for every row. The ORM's ``update()`` (and ``bulk_update``'s CASE
    expressions) cost more to build than the statement costs the database."""
    connection = connections[Entity.objects.db]
    quote = connection.ops.quote_name
    fields = [Entity._meta.get_field(name) for name in field_names]
    pk_field = Entity._meta.pk
    if len(entities) > 1 and connection.vendor == "postgresql":  # one statement, one JSON parameter
        sql = "UPDATE {} AS t SET {} FROM {} WHERE t.{} = v.{}".format(
            quote(Entity._meta.db_table), ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields),
            _recordset(connection, [*fields, pk_field]), quote(pk_field.column), quote(pk_field.column))
        with connection.cursor() as cursor:
            cursor.execute(sql, [_json_rows(entities, [*fields, pk_field])])
        return
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Entity._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(pk_field.column))
    rows = [
        [f.get_db_prep_save(getattr(entity, f.attname), connection) for f in fields]
        + [pk_field.get_db_prep_value(entity.pk, connection)]
        for entity in entities
    ]
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


def answers_identity(entity: Entity, unique_ids: dict[str, Any]) -> bool:
    """True only if the lookup of ``unique_ids`` certainly matches ``entity`` (PostgreSQL and SQLite): equal
    scalars, or an element ``{sub: value}`` of a list for ``attr.sub``. Anything subtler answers False."""
    for key, value in unique_ids.items():
        if key == "_id":
            if parse_entity_id(value) != entity.pk:
                return False
            continue
        if not isinstance(value, SCALARS):
            return False
        attribute, sub = split_key(key)
        stored = entity.attributes.get(attribute)
        if sub is None:
            if not json_equal(stored, value):
                return False
        elif not (isinstance(stored, list) and any(
                isinstance(item, dict) and sub in item and json_equal(item[sub], value) for item in stored)):
            return False
    return True


def mark_synced(ctx: WriteContext, entity: Entity, changed: bool) -> None:
    entity.last_synced_at = ctx.now
    if changed:
        entity.updated_at = ctx.now
        entity.last_event_id = ctx.event_id or ""
        entity.last_integration_id = ctx.integration_id or ""


