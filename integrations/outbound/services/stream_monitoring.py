"""Monitoring rows of the pollable outbound stream (MSG_* codes), written in one place.

Every row goes to the one monitoring store (``monitoring.services``) with source ``poll``, in the
transaction of the state change it describes; a batch of changes is one INSERT. Levels come from the code
registry (``monitoring/codes.py``); ``MSG_LATE_ARRIVAL`` is newer than the 1.33 enum and carries its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitoring import services as monitoring
from monitoring.models import Source

MSG_ENQUEUED = "MSG_ENQUEUED"
MSG_ACKED = "MSG_ACKED"
MSG_DEAD_LETTERED = "MSG_DEAD_LETTERED"
MSG_EXPIRED_UNPOLLED = "MSG_EXPIRED_UNPOLLED"
MSG_HEAD_BLOCKED = "MSG_HEAD_BLOCKED"
MSG_LATE_ARRIVAL = "MSG_LATE_ARRIVAL"  # docs-newer than the 1.33 enum
MAPPING_ERROR = "MAPPING_EXPRESSION_FAILED"  # an enqueue-time transform that failed: nothing was queued
OWN_LEVELS = {MSG_LATE_ARRIVAL: "warning"}  # codes outside the registry


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
    correlation_id: str = ""


def item_event(code: str, item, message: str = "", **metadata) -> StreamEvent:
    """A row about one queue item (its message id goes in the row's detail)."""
    return StreamEvent(code=code, org_id=str(item.organization_id), integration_id=str(item.integration_id),
                       use_case_id=str(item.use_case_id), event_id=item.event_id, event_name=item.event_name,
                       message=message, metadata={"message_id": item.message_id, **metadata},
                       correlation_id=item.correlation_id)


def record(events: list[StreamEvent]) -> None:
    """Write the rows (call it inside the transaction of the change)."""
    if not events:
        return
    monitoring.record_many([monitoring.build(
        org_id=event.org_id, integration_id=event.integration_id, source=Source.POLL,
        event_id=event.event_id or "", code=event.code, level=OWN_LEVELS.get(event.code),
        use_case_id=event.use_case_id, use_case_type="outbound", correlation_id=event.correlation_id or None,
        message=event.message, detail={"event_name": event.event_name, **event.metadata},
    ) for event in events])
