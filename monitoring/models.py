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


class OutboundStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    PENDING = "pending", "Pending"


class OutboundMonitoringEvent(models.Model):
    """One outbound delivery (DOMAIN.md 1.10): a mapped catalog event sent to one webhook, attempt by attempt."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    event_name = models.CharField(max_length=255)
    integration_id = models.CharField(max_length=64, null=True, blank=True)
    use_case_id = models.CharField(max_length=64, null=True, blank=True)
    mapping_id = models.CharField(max_length=64, null=True, blank=True)
    status = models.CharField(max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING)
    url = models.TextField(blank=True, default="")
    http_method = models.CharField(max_length=10, blank=True, default="POST")
    http_response = models.JSONField(null=True, blank=True)  # {status_code, message, headers}
    webhook_config_id = models.CharField(max_length=64, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    execution_context = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(null=True, blank=True)
    attempts = models.JSONField(default=list, blank=True)  # [{at, status_code, error, duration_ms}]
    error_message = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-event_id", "-id"]
        indexes = [
            models.Index(fields=["organization", "event_name", "-created_at"], name="mon_out_query_idx"),
            models.Index(fields=["organization", "integration_id", "-created_at"], name="mon_out_integ_idx"),
            models.Index(fields=["organization", "event_id"], name="mon_out_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} {self.status} {self.event_id}"


class AccessLog(models.Model):
    """One authenticated API request (queryAccessLogs): who called what, how it went, how long it took."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=64, unique=True)
    timestamp = models.DateTimeField()
    token_id = models.CharField(max_length=64)
    environment = models.CharField(max_length=32, blank=True, default="")
    service = models.CharField(max_length=64, blank=True, default="")
    method = models.CharField(max_length=10)
    path = models.TextField()
    status = models.PositiveSmallIntegerField()
    response_latency_ms = models.PositiveIntegerField()
    response_length = models.PositiveIntegerField(default=0)
    origin = models.TextField(blank=True, default="")
    source_ip = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-timestamp", "-request_id"]
        indexes = [models.Index(fields=["organization", "token_id", "-timestamp"], name="mon_access_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
