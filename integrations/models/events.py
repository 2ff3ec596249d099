"""Stored inbound ERP events, their deduplication window, per-integration ordering, and ACK tracking rows.

docs/inbound.md and docs/outbound.md (ACK tracking). The raw event is stored before the API answers;
processing happens on a worker.
Ordering: ``sequence`` is allocated under a row lock on :class:`EventSequence`, so within one integration
sequence order equals commit order; workers apply events strictly by sequence while holding the
:class:`EventProcessingLock` row of that integration.
"""
import secrets
import uuid

from django.db import models


class EventStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    IGNORED = "ignored", "Ignored"


PENDING_STATUSES = (EventStatus.QUEUED, EventStatus.PROCESSING)


class ErpEvent(models.Model):
    """One raw inbound event as the ERP sent it, plus its routing and processing state."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # the contract's event_id
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="events")
    api_version = models.CharField(max_length=2)  # v1 | v2 | v3
    event_type = models.CharField(max_length=16, null=True, blank=True)  # CREATE|UPDATE|DELETE (v1/v2 only)
    event_name = models.CharField(max_length=255, blank=True, default="")  # object_type (v1/v2) / event_name
    use_case_slug = models.CharField(max_length=255, null=True, blank=True)
    format = models.CharField(max_length=8, default="json")
    payload = models.TextField()  # raw text; object payloads are serialized by the server
    deduplication_id = models.CharField(max_length=255, null=True, blank=True)
    correlation_id = models.CharField(max_length=255)
    meta = models.JSONField(default=dict, blank=True)  # v1 meta, app/component ids
    timestamp = models.DateTimeField()  # when the event occurred, as sent by the ERP
    received_at = models.DateTimeField(db_index=True)  # the contract's event_time
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    resolved_use_case_ids = models.JSONField(default=list, blank=True)
    use_case_id = models.UUIDField(null=True, blank=True)  # the resolved use case (first match): queryEvents
    # The lane (v3 ``group_id``): events of one lane are applied in sequence order, lanes in parallel.
    # "" is the default lane (no group): strict order among the integration's ungrouped events.
    group_id = models.CharField(max_length=128, blank=True, default="")
    sequence = models.BigIntegerField()
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    last_error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "sequence"], name="uniq_erp_event_sequence"),
        ]
        indexes = [
            models.Index(fields=["integration", "-received_at", "-id"], name="erp_event_query_idx"),
            models.Index(fields=["integration", "status", "sequence"], name="erp_event_pending_idx"),
            models.Index(fields=["integration", "group_id", "status", "sequence"], name="erp_event_lane_idx"),
            models.Index(fields=["integration", "use_case_id", "-received_at"], name="erp_event_use_case_idx"),
            models.Index(fields=["status", "received_at"], name="erp_event_sweep_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name or self.use_case_slug} {self.id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES


class EventDeduplication(models.Model):
    """Claims a ``deduplication_id`` for 24 h. The unique constraint is the arbiter between concurrent requests."""

    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    deduplication_id = models.CharField(max_length=255)
    event_id = models.UUIDField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "deduplication_id"], name="uniq_event_dedup_id"),
        ]

    def __str__(self) -> str:
        return f"{self.deduplication_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class EventSequence(models.Model):
    """Per-integration event counter; its row lock serializes ingestion commits of one integration."""

    integration = models.OneToOneField(
        "integrations.Integration", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    last_sequence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.integration_id}: {self.last_sequence}"


class EventProcessingLock(models.Model):
    """Held (SELECT ... FOR UPDATE) while one event of the integration is applied: strict per-integration order."""

    integration = models.OneToOneField(
        "integrations.Integration", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    last_processed_sequence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.integration_id}: {self.last_processed_sequence}"


def new_ack_id() -> str:
    return secrets.token_urlsafe(32)


class TrackingRecord(models.Model):
    """An outbound delivery awaiting the consumer's ACK (docs/outbound.md, event filter and ACK tracking).
    ``ack_id`` is a capability."""

    ack_id = models.CharField(primary_key=True, max_length=64, default=new_ack_id, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    use_case_id = models.UUIDField(null=True, blank=True)
    event_id = models.CharField(max_length=64, blank=True, default="")
    event_name = models.CharField(max_length=255, blank=True, default="")
    webhook_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"ack {self.event_name or self.event_id}"
