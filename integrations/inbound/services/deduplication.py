"""``deduplication_id``: the same id for the same integration within 24 h is not processed again.

The database decides (unique constraint on :class:`EventDeduplication`), never a read-then-write."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from integrations.models import EventDeduplication, Integration

DEDUP_WINDOW = timedelta(hours=24)


def claim_deduplication_ids(integration: Integration, claims: list[tuple[str, uuid.UUID]], now: datetime) -> dict:
    """Claim each ``(dedup_id, event_id)`` for 24 h; returns ``{event_id: holder}`` for the LOSING claims
    (holder = the event id that has the id, "" if unknown). Winners are absent from the answer.

    The database decides: one ``INSERT ... ON CONFLICT DO NOTHING`` for the request (a concurrent insert
    of the same key waits for the other transaction, then does nothing), then a read of who holds each
    key. An expired claim is taken over with a conditional UPDATE, which is atomic too."""
    if not claims:
        return {}
    first_claim: dict[str, uuid.UUID] = {}
    losers: dict[uuid.UUID, str] = {}
    for dedup_id, event_id in claims:
        if dedup_id in first_claim:  # the same id twice in one request: the first one wins
            losers[event_id] = str(first_claim[dedup_id])
        else:
            first_claim[dedup_id] = event_id
    expires_at = now + DEDUP_WINDOW
    EventDeduplication.objects.bulk_create(
        [
            EventDeduplication(integration=integration, deduplication_id=d, event_id=e, expires_at=expires_at)
            for d, e in first_claim.items()
        ],
        ignore_conflicts=True,
    )
    holders = {
        row.deduplication_id: row
        for row in EventDeduplication.objects.filter(integration=integration, deduplication_id__in=list(first_claim))
    }
    for dedup_id, event_id in first_claim.items():
        row = holders.get(dedup_id)
        if row is not None and row.event_id == event_id:
            continue
        if row is None or row.expires_at <= now:
            holder = _take_over(integration, dedup_id, event_id, now, expires_at)
            if holder is None:
                continue
            losers[event_id] = holder
            continue
        losers[event_id] = str(row.event_id)
    return losers


def _take_over(integration, dedup_id: str, event_id: uuid.UUID, now: datetime, expires_at: datetime) -> str | None:
    """Claim an expired (or just purged) key; None when claimed, else the holder's event id."""
    taken_over = EventDeduplication.objects.filter(
        integration=integration, deduplication_id=dedup_id, expires_at__lte=now
    ).update(event_id=event_id, expires_at=expires_at)
    if taken_over:
        return None
    try:
        with transaction.atomic():  # the row was purged meanwhile: insert it again
            EventDeduplication.objects.create(
                integration=integration, deduplication_id=dedup_id, event_id=event_id, expires_at=expires_at
            )
        return None
    except IntegrityError:
        holder = (
            EventDeduplication.objects.filter(integration=integration, deduplication_id=dedup_id)
            .values_list("event_id", flat=True)
            .first()
        )
        return str(holder) if holder else ""
