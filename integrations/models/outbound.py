"""Outbound: webhooks, the event catalog and deliveries (docs/outbound.md).

In the hosted original, webhooks and the event catalog are other epilot services; self-hosted they are ours.
``OutboundDelivery`` is the state of one mapped event on its way to one webhook (what the retry task works
on); ``monitoring.OutboundMonitoringEvent`` is its public record, attempt by attempt.
"""
import base64
import json
import secrets
import uuid

from django.db import models

from erpintegration.lib import crypto

SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A Standard-Webhooks secret: ``whsec_`` + base64 of 32 random bytes (the HMAC key)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class Webhook(models.Model):
    """A receiver of outbound deliveries and triggerErp calls. ``secret`` is encrypted at rest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    url = models.TextField()
    enabled = models.BooleanField(default=True)
    secret_encrypted = models.TextField(editable=False)
    # Custom request headers {name: value}, encrypted like the secret: they often carry receiver API keys.
    headers_encrypted = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "created_at"], name="webhook_org_created")]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, plaintext: str) -> None:
        self.secret_encrypted = crypto.encrypt(plaintext)

    def signing_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    def set_headers(self, headers: dict[str, str]) -> None:
        self.headers_encrypted = crypto.encrypt(json.dumps(headers)) if headers else ""

    def custom_headers(self) -> dict[str, str]:
        return json.loads(crypto.decrypt(self.headers_encrypted)) if self.headers_encrypted else {}

    def header_names(self) -> list[str]:
        try:
            return sorted(self.custom_headers())
        except crypto.DecryptionFailed:
            return []


class CatalogEvent(models.Model):
    """One published platform event (``contract.created`` ...) with its payload."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    event_name = models.CharField(max_length=255)
    event_version = models.CharField(max_length=32, blank=True, default="1")
    payload = models.JSONField(default=dict, blank=True)
    event_time = models.DateTimeField()
    source = models.CharField(max_length=255, blank=True, default="")
    # Use cases / mappings that matched the event name but delivered nothing, and why (event_filter false,
    # a filter that failed, an unresolved file_proxy target): [{use_case_id, mapping_id?, code, message}]
    skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-event_time", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "event_id"], name="uniq_catalog_event_id"),
        ]
        indexes = [models.Index(fields=["organization", "event_name", "-event_time"], name="catalog_event_name")]

    def __str__(self) -> str:
        return f"{self.event_name} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"  # a file_proxy upload whose step ``enabled`` said no (STEP_DISABLED)


class OutboundDelivery(models.Model):
    """One mapped payload for one webhook. ``id`` is the Standard-Webhooks message id (stable over retries)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    use_case_id = models.UUIDField(null=True, blank=True)
    mapping_id = models.CharField(max_length=64, blank=True, default="")
    webhook = models.ForeignKey(Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    webhook_ref = models.CharField(max_length=255, blank=True, default="")  # the configured webhook_id, as written
    event_id = models.CharField(max_length=64)
    event_name = models.CharField(max_length=255)
    payload = models.JSONField(null=True, blank=True)
    ack_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    monitoring_event_id = models.BigIntegerField(null=True, blank=True)
    resend_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # file_proxy deliveries (docs/connectors.md): the upload use case by slug, resolved again when sending, and
    # the fan-out item this delivery carries (None: all attachments); one delivery per (event, use case,
    # mapping, item) is the per-item idempotency record, so a re-published event uploads nothing twice.
    delivery_type = models.CharField(max_length=16, default="webhook")
    target_slug = models.CharField(max_length=255, blank=True, default="")
    item_index = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "outbound deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event_id", "use_case_id", "mapping_id", "item_index"],
                condition=models.Q(delivery_type="file_proxy", resend_of__isnull=True),
                name="uniq_file_proxy_delivery_item",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["organization", "event_id"], name="delivery_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} -> {self.webhook_ref} ({self.status})"
