"""Monitoring rows. This app imports nothing from ``integrations``/``entities``/``fileproxy``: ids are strings."""
from django.db import models


class InboundSyncType(models.TextChoices):
    ENTITY = "entity", "Entity"
    METER_READING = "meter_reading", "Meter reading"
    WEBHOOK = "webhook", "Webhook"
    API_DEPRECATION = "api_deprecation", "API deprecation"


class InboundStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    ERROR = "error", "Error"
    SKIPPED = "skipped", "Skipped"
    WARNING = "warning", "Warning"


class ErrorCategory(models.TextChoices):
    VALIDATION = "validation", "Validation"
    CONFIGURATION = "configuration", "Configuration"
    DOWNSTREAM_API = "downstream_api", "Downstream API"
    TIMEOUT = "timeout", "Timeout"
    SYSTEM = "system", "System"


class InboundMonitoringEvent(models.Model):
    """One inbound sync outcome (DOMAIN.md 1.10): per event, use case and sync type, or a deprecation warning."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    correlation_id = models.CharField(max_length=255, null=True, blank=True)
    integration_id = models.CharField(max_length=64, null=True, blank=True)
    use_case_id = models.CharField(max_length=64, null=True, blank=True)
    event_type = models.CharField(max_length=16, null=True, blank=True)  # CREATE|UPDATE|DELETE|TRIGGER
    object_type = models.CharField(max_length=255, blank=True, default="")
    sync_type = models.CharField(max_length=32, choices=InboundSyncType.choices)
    status = models.CharField(max_length=16, choices=InboundStatus.choices)
    error_code = models.CharField(max_length=128, null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    error_category = models.CharField(max_length=32, choices=ErrorCategory.choices, null=True, blank=True)
    processing_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()
    completed_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)  # outcomes per entity / reading, warnings, error details

    class Meta:
        ordering = ["-completed_at", "-event_id", "-id"]
        indexes = [
            models.Index(fields=["organization", "integration_id", "-completed_at"], name="mon_in_query_idx"),
            models.Index(fields=["organization", "event_id"], name="mon_in_event_idx"),
            models.Index(fields=["organization", "correlation_id"], name="mon_in_corr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sync_type} {self.status} {self.event_id}"
