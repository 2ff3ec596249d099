"""Poll delivery on outbound mappings (v1.33 ``PollDeliveryConfig``): the pull-based stream's settings.

A poll mapping puts each matching catalog event on the integration's outbound stream instead of pushing
it to a webhook. Its ``jsonata_expression`` is optional: when present it transforms the event at enqueue
time. A use case has at most one poll mapping; webhook fields on a poll delivery, and poll fields on a
webhook delivery, are rejected so a half-converted mapping never saves.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from integrations.configuration.checks import Checker
from integrations.configuration.issues import key_path

POLL = "poll"
POISON_POLICIES = ("dead_letter", "block")
DEFAULT_RETENTION_DAYS = 30
DEFAULT_POISON_POLICY = "dead_letter"
DEFAULT_MAX_DELIVERY_ATTEMPTS = 5
POLL_KEYS = ("retention_days", "poison_policy", "max_delivery_attempts")


@dataclass(frozen=True)
class PollSettings:
    retention_days: int = DEFAULT_RETENTION_DAYS
    poison_policy: str = DEFAULT_POISON_POLICY
    max_delivery_attempts: int = DEFAULT_MAX_DELIVERY_ATTEMPTS


def is_poll_mapping(mapping: Any) -> bool:
    delivery = mapping.get("delivery") if isinstance(mapping, dict) else None
    return isinstance(delivery, dict) and delivery.get("type") == POLL


def validate_poll_mappings(mappings: list, check: Checker, path: str) -> None:
    """The rule across a use case's mappings: at most one of them delivers by poll."""
    first_poll: int | None = None
    for index, mapping in enumerate(mappings):
        if not is_poll_mapping(mapping):
            continue
        if first_poll is not None:
            check.add(key_path(f"{path}[{index}]", "delivery"),
                      f"a use case has at most one poll mapping (mappings[{first_poll}] is one)")
        else:
            first_poll = index


def check_poll_delivery(delivery: dict, check: Checker, path: str) -> None:
    """``PollDeliveryConfig``'s own settings (keys of other delivery types are refused by the variant table)."""
    _integer(delivery, "retention_days", 1, 90, check, path)
    _integer(delivery, "max_delivery_attempts", 1, 100, check, path)
    if "poison_policy" in delivery:
        check.enum(delivery["poison_policy"], key_path(path, "poison_policy"), POISON_POLICIES)


def _integer(delivery: dict, key: str, low: int, high: int, check: Checker, path: str) -> None:
    if key not in delivery:
        return
    value = delivery[key]
    if isinstance(value, bool) or not isinstance(value, int):
        check.add(key_path(path, key), f"must be an integer from {low} to {high}")
    elif not low <= value <= high:
        check.add(key_path(path, key), f"must be from {low} to {high} (got {value})")


def poll_settings(mapping: Any) -> PollSettings:
    """The effective settings of a (valid) poll mapping, defaults filled in."""
    delivery = mapping.get("delivery") if isinstance(mapping, dict) else None
    delivery = delivery if isinstance(delivery, dict) else {}
    return PollSettings(
        retention_days=delivery.get("retention_days", DEFAULT_RETENTION_DAYS),
        poison_policy=delivery.get("poison_policy", DEFAULT_POISON_POLICY),
        max_delivery_attempts=delivery.get("max_delivery_attempts", DEFAULT_MAX_DELIVERY_ATTEMPTS),
    )


def poll_mapping(configuration: Any, *, enabled_only: bool = True) -> dict | None:
    """The use case's poll mapping (at most one), or None."""
    mappings = configuration.get("mappings") if isinstance(configuration, dict) else None
    for mapping in mappings if isinstance(mappings, list) else []:
        if is_poll_mapping(mapping) and (not enabled_only or mapping.get("enabled", True) is True):
            return mapping
    return None


def transform_expression(mapping: Any) -> str | None:
    """The enqueue-time transform of a poll mapping, or None when the raw event is queued."""
    expression = mapping.get("jsonata_expression") if isinstance(mapping, dict) else None
    return expression.strip() if isinstance(expression, str) and expression.strip() else None


def mapping_version(expression: str) -> str:
    """First 16 hex digits of sha256 of the trimmed expression: tells consumers which transform ran."""
    return hashlib.sha256(expression.strip().encode()).hexdigest()[:16]
