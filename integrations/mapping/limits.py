"""Size limits of a mapping result: one mapped value, and all values of one event together.

A tiny event must not write a 50-million-character attribute: the limits are checked on the result of
every mapping (simulation and processing), before anything is stored. Sizes are counted as the length of
a value's JSON text (a string's length in characters).
"""
from __future__ import annotations

import json
from typing import Any

from integrations.mapping.results import MappingError, MappingResult


def value_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, dict | list):
        return len(json.dumps(value, ensure_ascii=False, default=str))
    return len(str(value))


def check_result_size(result: MappingResult, max_value: int, max_event: int) -> MappingResult:
    total = 0
    for kind, updates in (("entity", result.entity_updates), ("meter reading", result.meter_readings_updates)):
        for index, update in enumerate(updates):
            for name, value in update.attributes.items():
                size = value_size(value)
                if size > max_value:
                    raise MappingError(
                        "MAPPED_VALUE_TOO_LARGE",
                        f"The mapped value of attribute {name!r} ({kind} update {index}) is {size} characters, "
                        f"more than the limit of {max_value}",
                        {"attribute": name, "update": index, "size": size, "limit": max_value},
                    )
                total += size
    if total > max_event:
        raise MappingError(
            "MAPPED_EVENT_TOO_LARGE",
            f"The mapped values of this event total {total} characters, more than the limit of {max_event}",
            {"size": total, "limit": max_event},
        )
    return result
