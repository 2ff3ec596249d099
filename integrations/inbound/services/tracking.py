"""ACK tracking rows (docs/outbound.md, event filter and ACK tracking): written per delivery awaiting an ACK,
deleted by the ACK."""
from __future__ import annotations

import re

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.models import TrackingRecord

ACK_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what new_ack_id() mints; anything else cannot exist


def create_tracking_record(organization, *, integration=None, use_case_id=None, event_id="", event_name="",
                           webhook_id="") -> TrackingRecord:
    """A new row with an unguessable ``ack_id``; the consumer receives it as ``_ack_id``."""
    return TrackingRecord.objects.create(
        organization=organization,
        integration=integration,
        use_case_id=use_case_id,
        event_id=str(event_id or ""),
        event_name=event_name or "",
        webhook_id=str(webhook_id or ""),
    )


def acknowledge(ack_id) -> None:
    """Delete the row; 404 when unknown or already acknowledged. No token: ``ack_id`` is the capability."""
    if ack_id is None:
        raise ValidationFailed("ack_id: this field is required")
    if not isinstance(ack_id, str):
        raise ValidationFailed("ack_id: must be a string")
    deleted = TrackingRecord.objects.filter(ack_id=ack_id).delete()[0] if ACK_ID_RE.match(ack_id) else 0
    if not deleted:
        raise NotFound("Tracking record not found (unknown, already acknowledged or timed out)")
