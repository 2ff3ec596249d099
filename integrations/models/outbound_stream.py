"""The pollable outbound stream (v1.33 pollable outbound): one FIFO per integration, pulled by the ERP.

``OutboundStream`` is the per-integration head: the current lease, the blocked head, timestamps and the
visibility timeout; its row lock serialises every state change of one stream. ``OutboundQueueItem`` is
one message, live (available or leased) or dead-lettered; acknowledged and expired items are deleted.
Order is (``sort_time``, ``id``): the event time, re-keyed to the tail for late arrivals.
"""
from django.db import models

DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 300


class QueueItemState(models.TextChoices):
    AVAILABLE = "available", "Available"
    LEASED = "leased", "Leased"
    DEAD_LETTERED = "dead_lettered", "Dead-lettered"


class OutboundStream(models.Model):
    integration = models.OneToOneField("integrations.Integration", primary_key=True, on_delete=models.CASCADE,
                                       related_name="outbound_stream")
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    lease_id = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # a plain id, not a foreign key: deleting acked items must stay a single fast DELETE
    blocked_item_id = models.BigIntegerField(null=True, blank=True)
    blocked_at = models.DateTimeField(null=True, blank=True)
    # sort_time of the last leased message: an arrival that sorts before it is re-keyed to the tail
    high_water_time = models.DateTimeField(null=True, blank=True)
    visibility_timeout_seconds = models.PositiveIntegerField(default=DEFAULT_VISIBILITY_TIMEOUT_SECONDS)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_ack_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"stream of {self.integration_id}"


class OutboundQueueItem(models.Model):
    id = models.BigAutoField(primary_key=True)  # the sequence
    message_id = models.CharField(max_length=40, unique=True)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="+")
    use_case_id = models.UUIDField()
    event_id = models.CharField(max_length=64)
    event_name = models.CharField(max_length=255)
    group = models.CharField(max_length=16, default="0")
    payload = models.JSONField()
    # the untransformed event, kept only when a transform ran (redrive with reapply_mapping needs it)
    source = models.JSONField(null=True, blank=True)
    mapping_version = models.CharField(max_length=16, blank=True, default="")
    correlation_id = models.CharField(max_length=255, blank=True, default="")  # the trace of the catalog event
    sort_time = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=QueueItemState.choices, default=QueueItemState.AVAILABLE)
    delivery_attempts = models.PositiveIntegerField(default=0)
    lease_id = models.CharField(max_length=64, blank=True, default="")
    dead_lettered_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=600, blank=True, default="")

    class Meta:
        ordering = ["sort_time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["use_case_id", "event_id"], name="uniq_queue_item_use_case_event"),
        ]
        indexes = [
            models.Index(fields=["integration", "state", "sort_time", "id"], name="queue_item_head"),
            models.Index(fields=["integration", "state", "dead_lettered_at", "id"], name="queue_item_dlq"),
            models.Index(fields=["expires_at"], name="queue_item_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.event_name} ({self.state})"
