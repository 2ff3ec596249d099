"""Monitoring rows. This app imports nothing from ``integrations``/``entities``/``fileproxy``: ids are strings."""
from django.conf import settings
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


class Level(models.TextChoices):
    SUCCESS = "success", "Success"
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


class Source(models.TextChoices):
    """What produced a row (the trigger); ``integrations`` and friends pass one of these to ``record``."""

    INBOUND = "inbound", "Inbound event"
    OUTBOUND = "outbound", "Outbound event / delivery"
    FILE_PROXY = "file_proxy", "File proxy"
    MANAGED_CALL = "managed_call", "Managed call"
    SECURE_PROXY = "secure_proxy", "Secure proxy"
    POLL = "poll", "Poll queue"
    IMPORT = "import", "ERP import"
    EXTERNAL = "external", "External span"
    SYSTEM = "system", "System"


class MonitoringEvent(models.Model):
    """The one monitoring store (docs/monitoring.md; C13 in docs/contract-versions.md): every trigger writes
    rows here with a v2 ``level`` and ``code`` from :mod:`monitoring.codes`. Rows the v0.46 inbound operations
    know also carry their v1 status (``v1_status``, e.g. ``skipped`` where v2 says ``info``) and the v1
    columns (sync type, error category, ...); rows only v2 knows (external spans, MSG_*, proxies,
    ignored/duplicate events) have ``v1_status`` null.

    ``completed_at`` is the row's time (v2 ``created_at``). The v2 ``id`` is a UUID derived from the primary
    key (:func:`monitoring.rows.v2_id`), so keyset paging walks one compact index."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)  # every index starts with it
    event_id = models.CharField(max_length=64)
    correlation_id = models.CharField(max_length=255, null=True, blank=True)
    integration_id = models.CharField(max_length=64, null=True, blank=True)
    use_case_id = models.CharField(max_length=64, null=True, blank=True)
    use_case_type = models.CharField(max_length=16, blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.INBOUND)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.SUCCESS)
    code = models.CharField(max_length=64, blank=True, default="")
    message = models.TextField(blank=True, default="")
    # v1 projection (null/blank on rows only v2 knows)
    v1_status = models.CharField(max_length=16, choices=InboundStatus.choices, null=True, blank=True)
    event_type = models.CharField(max_length=16, null=True, blank=True)  # CREATE|UPDATE|DELETE|TRIGGER
    object_type = models.CharField(max_length=255, blank=True, default="")
    sync_type = models.CharField(max_length=32, choices=InboundSyncType.choices, blank=True, default="")
    error_code = models.CharField(max_length=128, null=True, blank=True)
    error_message = models.TextField(null=True, blank=True)
    error_category = models.CharField(max_length=32, choices=ErrorCategory.choices, null=True, blank=True)
    processing_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)  # v2 ``detail``; v1 outcomes, warnings, error details
    # Counted once in the rollups: the first row of an (event, use case) of a received inbound event
    # (stats source=incoming), and the first row ever seen of a correlation id (v1 total_correlations).
    received_head = models.BooleanField(default=False)
    correlation_head = models.BooleanField(default=False)

    class Meta:
        ordering = ["-completed_at", "-event_id", "-id"]
        indexes = [
            models.Index(fields=["organization", "integration_id", "completed_at", "id"], name="mon_v2_page_idx"),
            models.Index(fields=["organization", "integration_id", "completed_at", "event_id", "id"],
                         name="mon_v1_page_idx", condition=models.Q(v1_status__isnull=False)),
            models.Index(fields=["organization", "event_id"], name="mon_in_event_idx"),
            models.Index(fields=["organization", "correlation_id"], name="mon_in_corr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.code} {self.event_id}"

    @property
    def status(self) -> str | None:
        """The v1 status (``v1_status``); kept under its old name for the v1 inbound projection."""
        return self.v1_status

    @status.setter
    def status(self, value: str | None) -> None:
        self.v1_status = value


class InboundV1QuerySet(models.QuerySet):
    """Lookups on ``status`` mean the v1 status (``v1_status``), as they did before the store was unified."""

    def _filter_or_exclude(self, negate, args, kwargs):
        kwargs = {(f"v1_{name}" if name == "status" or name.startswith("status__") else name): value
                  for name, value in kwargs.items()}
        return super()._filter_or_exclude(negate, args, kwargs)


class InboundV1Manager(models.Manager.from_queryset(InboundV1QuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(v1_status__isnull=False)


class InboundMonitoringEvent(MonitoringEvent):
    """The v0.46 inbound projection of the store: rows with a v1 status (filter on ``v1_status``)."""

    objects = InboundV1Manager()

    class Meta:
        proxy = True
        ordering = ["-completed_at", "-event_id", "-id"]


class MonitoringRollup(models.Model):
    """Counters of store rows per bucket and key, maintained in the same transaction as the rows
    (:func:`monitoring.services.record_many`), at two grains: 5 minutes and whole hours. Stats and time series
    read whole hours, then whole 5-minute buckets, then raw rows only for the partial buckets at the window's
    edges. Key columns are never null ("" stands for none)."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+",
                                     db_index=False)  # the key constraint starts with it
    integration_id = models.CharField(max_length=64)
    grain = models.PositiveSmallIntegerField(default=5)  # minutes: 5 (every bucket) or 60 (whole hours)
    bucket = models.DateTimeField()
    use_case_id = models.CharField(max_length=64)
    use_case_type = models.CharField(max_length=16)
    level = models.CharField(max_length=8)
    code = models.CharField(max_length=64)
    v1_status = models.CharField(max_length=16)
    sync_type = models.CharField(max_length=32)
    error_category = models.CharField(max_length=32)
    object_type = models.CharField(max_length=255)
    rows = models.BigIntegerField(default=0)
    received = models.BigIntegerField(default=0)
    correlations = models.BigIntegerField(default=0)
    last_at = models.DateTimeField()

    KEY = ("organization_id", "integration_id", "grain", "bucket", "use_case_id", "use_case_type", "level", "code",
           "v1_status", "sync_type", "error_category", "object_type")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "integration_id", "grain", "bucket", "use_case_id", "use_case_type", "level",
                        "code",
                        "v1_status", "sync_type", "error_category", "object_type"],
                name="mon_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bucket} {self.level} {self.code} x{self.rows}"


class OutboundStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    PENDING = "pending", "Pending"


class OutboundMonitoringEvent(models.Model):
    """One outbound delivery (docs/outbound.md, monitoring and resend): a mapped catalog event sent to one
    webhook, attempt by attempt."""

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


class AlertState(models.Model):
    """The live state of one notification rule (keyed by the rule's stable id) and its last evaluation; the
    digest schedule keeps its last run here too (``rule_id`` ``__digest__``)."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration_id = models.CharField(max_length=64)
    rule_id = models.CharField(max_length=64)
    state = models.CharField(max_length=16, default="ok")  # ok | alerting | recovered
    last_fired_at = models.DateTimeField(null=True, blank=True)
    last_cleared_at = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_evaluation = models.JSONField(null=True, blank=True)
    baseline = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration_id", "rule_id"], name="mon_alert_state_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.state}"


class NotificationHistory(models.Model):
    """One real notification decision (fired, recovered, digest, or suppressed and why)."""

    id = models.CharField(primary_key=True, max_length=26)  # ULID
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration_id = models.CharField(max_length=64)
    rule_id = models.CharField(max_length=64, blank=True, default="")
    type = models.CharField(max_length=32)
    state_transition = models.CharField(max_length=32, null=True, blank=True)
    severity = models.CharField(max_length=8)
    title = models.CharField(max_length=500)
    occurred_at = models.DateTimeField()
    notified = models.BooleanField()
    suppressed_reason = models.CharField(max_length=24, null=True, blank=True)
    recipients = models.JSONField(default=list)
    context = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["integration_id", "-occurred_at", "-id"], name="mon_notif_hist_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.state_transition} {self.title}"


class InboxNotification(models.Model):
    """An in-app notification for one user (the ``in_app`` channel)."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    integration_id = models.CharField(max_length=64, blank=True, default="")
    history_id = models.CharField(max_length=26, blank=True, default="")
    kind = models.CharField(max_length=16, default="alert")  # alert | digest | test
    severity = models.CharField(max_length=8, default="info")
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "organization", "-created_at"], name="mon_inbox_user_idx")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A user's switch for alert notifications; off means every alert to them is ``recipient_opt_out``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user_id} {'on' if self.enabled else 'off'}"
