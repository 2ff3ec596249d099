"""Outbound use-case configuration: ``{event_catalog_event, mappings[≥1]}`` (DOMAIN §1.8, §3.8).

Mapping ids are generated when missing and ``created_at``/``updated_at`` are server-maintained: a mapping
that is unchanged from the previous configuration keeps both timestamps, a changed one gets a new
``updated_at``, a new one gets both.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import key_path

DELIVERY_TYPES = ("webhook",)
SERVER_KEYS = ("created_at", "updated_at")


def validate_outbound(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    event = check.required(config, "event_catalog_event", path)
    if event is not MISSING:
        check.string(event, key_path(path, "event_catalog_event"))
    mappings = check.required(config, "mappings", path)
    mappings_path = key_path(path, "mappings")
    if mappings is MISSING or not check.array(mappings, mappings_path, min_items=1):
        return
    seen_ids: dict[str, int] = {}
    for index, mapping, mapping_path in check.each(mappings, mappings_path):
        _mapping(mapping, check, mapping_path)
        mapping_id = mapping.get("id") if isinstance(mapping, dict) else None
        if isinstance(mapping_id, str):
            if mapping_id in seen_ids:
                check.add(key_path(mapping_path, "id"),
                          f"{mapping_id!r} is already used by mappings[{seen_ids[mapping_id]}]")
            seen_ids.setdefault(mapping_id, index)


def _mapping(mapping: Any, check: Checker, path: str) -> None:
    """``OutboundMapping``; ``id`` may be omitted (generated) and ``enabled`` defaults to true."""
    if not check.object(mapping, path):
        return
    if "id" in mapping:
        check.uuid(mapping["id"], key_path(path, "id"))
    name = check.required(mapping, "name", path)
    if name is not MISSING:
        check.string(name, key_path(path, "name"))
    expression = check.required(mapping, "jsonata_expression", path)
    if expression is not MISSING:
        check.jsonata(expression, key_path(path, "jsonata_expression"))
    if "enabled" in mapping:
        check.boolean(mapping["enabled"], key_path(path, "enabled"))
    delivery = check.required(mapping, "delivery", path)
    delivery_path = key_path(path, "delivery")
    if delivery is MISSING or not check.object(delivery, delivery_path):
        return
    delivery_type = check.required(delivery, "type", delivery_path)
    if delivery_type is not MISSING:
        check.enum(delivery_type, key_path(delivery_path, "type"), DELIVERY_TYPES)
    webhook_id = check.required(delivery, "webhook_id", delivery_path)
    if webhook_id is not MISSING:
        check.string(webhook_id, key_path(delivery_path, "webhook_id"))
    for key in ("webhook_name", "webhook_url"):
        if key in delivery:
            check.string(delivery[key], key_path(delivery_path, key), allow_empty=True)


def normalise_outbound(config: dict, previous: dict | None, *, now: datetime | None = None) -> None:
    """Fill ids, ``enabled`` and the server-maintained timestamps in place (config is already valid)."""
    stamp = format_timestamp(now or datetime.now(UTC))
    before = _mappings_by_id(previous)
    for mapping in config["mappings"]:
        mapping.setdefault("id", str(uuid.uuid4()))
        mapping.setdefault("enabled", True)
        old = before.get(mapping["id"])
        created = _timestamp(old, "created_at") or _timestamp(mapping, "created_at") or stamp
        unchanged = old is not None and _content(old) == _content(mapping)
        updated = (_timestamp(old, "updated_at") or created) if unchanged else stamp
        mapping["created_at"] = created
        mapping["updated_at"] = updated


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, e.g. ``2026-03-01T12:00:00.000Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _mappings_by_id(previous: dict | None) -> dict[str, dict]:
    mappings = previous.get("mappings") if previous else None
    if not isinstance(mappings, list):
        return {}
    return {m["id"]: m for m in mappings if isinstance(m, dict) and isinstance(m.get("id"), str)}


def _content(mapping: dict) -> dict:
    content = {key: value for key, value in mapping.items() if key not in SERVER_KEYS}
    content.setdefault("enabled", True)
    return content


def _timestamp(mapping: dict | None, key: str) -> str | None:
    """The stored value when it is a valid ISO date-time, else None (the server replaces it)."""
    value = mapping.get(key) if mapping else None
    if not isinstance(value, str):
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None
    return value
