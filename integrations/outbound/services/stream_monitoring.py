"""Monitoring rows of the pollable outbound stream (MSG_* codes), written in one place.

Every call from the stream goes through :func:`record`, so switching the sink (the v2 monitoring store)
touches this module only. Rows are collected per state change and written together.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("erpintegration.outbound.stream")

MSG_ENQUEUED = "MSG_ENQUEUED"
MSG_ACKED = "MSG_ACKED"
MSG_DEAD_LETTERED = "MSG_DEAD_LETTERED"
MSG_EXPIRED_UNPOLLED = "MSG_EXPIRED_UNPOLLED"
MSG_HEAD_BLOCKED = "MSG_HEAD_BLOCKED"
MSG_LATE_ARRIVAL = "MSG_LATE_ARRIVAL"  # docs-newer than the 1.33 enum
MAPPING_ERROR = "UNKNOWN_ERROR"  # an enqueue-time transform that failed: nothing was queued

LEVELS = {
    MSG_ENQUEUED: "info",
    MSG_ACKED: "info",
    MSG_DEAD_LETTERED: "error",
    MSG_EXPIRED_UNPOLLED: "error",
    MSG_HEAD_BLOCKED: "error",
    MSG_LATE_ARRIVAL: "warning",
    MAPPING_ERROR: "error",
}


@dataclass
class StreamEvent:
    code: str
    org_id: str
    integration_id: str
    use_case_id: str | None = None
    event_id: str | None = None
    event_name: str | None = None
    message: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


def item_event(code: str, item, message: str = "", **metadata) -> StreamEvent:
    """A row about one queue item (its message id and sequence go in metadata)."""
    return StreamEvent(code=code, org_id=str(item.organization_id), integration_id=str(item.integration_id),
                       use_case_id=str(item.use_case_id), event_id=item.event_id, event_name=item.event_name,
                       message=message, metadata={"message_id": item.message_id, **metadata})


def record(events: list[StreamEvent]) -> None:
    for event in events:
        level = LEVELS.get(event.code, "info")
        logger.log(logging.INFO if level == "info" else logging.WARNING,
                   "%s integration=%s use_case=%s event=%s %s %s", event.code, event.integration_id,
                   event.use_case_id, event.event_id, event.message, event.metadata)
