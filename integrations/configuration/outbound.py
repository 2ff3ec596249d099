"""Outbound use-case configuration: ``{event_catalog_event, event_filter?, ack_tracking?, mappings[≥1]}``.

``event_filter`` is a JSONata predicate over the event; ``ack_tracking`` is ``on`` (default) or ``off``.
A mapping's ``delivery`` is one variant of a union discriminated by ``type``: each variant registers its
checker in ``DELIVERY_VARIANTS`` (its own keys, whether the mapping needs ``jsonata_expression``), so a
new variant is one entry. Keys of another variant are refused (a webhook delivery with a
``use_case_slug`` is a mistake, not an extension).

Mapping ids are generated when missing and ``created_at``/``updated_at`` are server-maintained: a mapping
that is unchanged from the previous configuration keeps both timestamps, a changed one gets a new
``updated_at``, a new one gets both.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrations.configuration.checks import MISSING, Checker
from integrations.configuration.issues import key_path
from integrations.configuration.poll_delivery import POLL_KEYS, check_poll_delivery, validate_poll_mappings

SERVER_KEYS = ("created_at", "updated_at")
ACK_TRACKING = ("on", "off")
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


@dataclass(frozen=True)
class DeliveryVariant:
    """How one ``delivery.type`` is validated: its own keys and what it asks of the mapping."""

    check: Callable[[dict, Checker, str], None]
    keys: tuple[str, ...]
    expression: str  # "required" | "optional" | "rejected": the mapping's jsonata_expression


def _webhook_delivery(delivery: dict, check: Checker, path: str) -> None:
    webhook_id = check.required(delivery, "webhook_id", path)
    if webhook_id is not MISSING:
        check.string(webhook_id, key_path(path, "webhook_id"))
    for key in ("webhook_name", "webhook_url"):
        if key in delivery:
            check.string(delivery[key], key_path(path, key), allow_empty=True)


def _file_proxy_delivery(delivery: dict, check: Checker, path: str) -> None:
    """The target (an upload file_proxy use case of the same integration) is resolved at delivery time."""
    slug = check.required(delivery, "use_case_slug", path)
    if slug is not MISSING:
        check.string(slug, key_path(path, "use_case_slug"), pattern=SLUG_PATTERN)


DELIVERY_VARIANTS: dict[str, DeliveryVariant] = {
    "webhook": DeliveryVariant(_webhook_delivery, ("webhook_id", "webhook_name", "webhook_url"), "required"),
    "file_proxy": DeliveryVariant(_file_proxy_delivery, ("use_case_slug",), "rejected"),
    "poll": DeliveryVariant(check_poll_delivery, POLL_KEYS, "optional"),  # an enqueue-time transform
}


def validate_outbound(config: Any, check: Checker, path: str) -> None:
    if not check.object(config, path):
        return
    event = check.required(config, "event_catalog_event", path)
    if event is not MISSING:
        check.string(event, key_path(path, "event_catalog_event"))
    if "event_filter" in config:
        check.jsonata(config["event_filter"], key_path(path, "event_filter"))
    if "ack_tracking" in config:
        check.enum(config["ack_tracking"], key_path(path, "ack_tracking"), ACK_TRACKING)
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
    validate_poll_mappings(mappings, check, mappings_path)


def _mapping(mapping: Any, check: Checker, path: str) -> None:
    """``OutboundMapping``; ``id`` may be omitted (generated) and ``enabled`` defaults to true."""
    if not check.object(mapping, path):
        return
    if "id" in mapping:
        check.uuid(mapping["id"], key_path(path, "id"))
    name = check.required(mapping, "name", path)
    if name is not MISSING:
        check.string(name, key_path(path, "name"))
    if "enabled" in mapping:
        check.boolean(mapping["enabled"], key_path(path, "enabled"))
    variant = _delivery(mapping, check, path)
    expression_path = key_path(path, "jsonata_expression")
    if variant is not None and variant[1].expression == "rejected" and "jsonata_expression" in mapping:
        check.add(expression_path, f"is not allowed for delivery type {variant[0]!r}")
    elif "jsonata_expression" in mapping:
        check.jsonata(mapping["jsonata_expression"], expression_path)
    elif variant is None or variant[1].expression == "required":
        check.add(expression_path, "is required" + (f" for delivery type {variant[0]!r}" if variant else ""))


def _delivery(mapping: dict, check: Checker, path: str) -> tuple[str, DeliveryVariant] | None:
    """Check ``mapping.delivery``; the (type, variant) when its type is known."""
    delivery = check.required(mapping, "delivery", path)
    delivery_path = key_path(path, "delivery")
    if delivery is MISSING or not check.object(delivery, delivery_path):
        return None
    delivery_type = check.required(delivery, "type", delivery_path)
    if delivery_type is MISSING or not check.enum(delivery_type, key_path(delivery_path, "type"),
                                                   tuple(DELIVERY_VARIANTS)):
        return None
    variant = DELIVERY_VARIANTS[delivery_type]
    variant.check(delivery, check, delivery_path)
    for other_type, other in DELIVERY_VARIANTS.items():
        for key in other.keys:
            if other_type != delivery_type and key in delivery and key not in variant.keys:
                check.add(key_path(delivery_path, key),
                          f"belongs to delivery type {other_type!r}, not {delivery_type!r}")
    return delivery_type, variant


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
