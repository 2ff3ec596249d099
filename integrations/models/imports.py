"""ERP import jobs (docs/imports.md): one uploaded file, validated against an inbound use case and
imported in batches. The state machine lives in ``integrations.imports.services.jobs``."""
from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    PENDING = "PENDING"
    VALIDATING = "VALIDATING"
    READY = "READY"
    PROCESSING = "PROCESSING"
    IMPORTED = "IMPORTED"
    FAILED = "FAILED"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"


class ErpImport(models.Model):
    id = models.CharField(primary_key=True, max_length=40, editable=False)  # imp_<ULID>, also the correlation id
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    integration = models.ForeignKey("integrations.Integration", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    use_case_slug = models.CharField(max_length=255, null=True, blank=True)
    format = models.CharField(max_length=8)  # csv | xlsx
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    bucket = models.CharField(max_length=255)
    key = models.CharField(max_length=1024)
    filename = models.CharField(max_length=255, blank=True, default="")
    size_bytes = models.BigIntegerField(null=True, blank=True)
    column_count = models.PositiveIntegerField(null=True, blank=True)
    validation = models.JSONField(null=True, blank=True)
    progress = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)  # {code, message} iff FAILED
    fingerprint = models.CharField(max_length=64, blank=True, default="")  # mapping + schema at validation
    run_token = models.CharField(max_length=32, blank=True, default="")  # the running phase's id; a new run
    progress_at = models.DateTimeField(null=True, blank=True)  # last progress: the watchdog's clock
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "-id"], name="erp_import_list_idx"),
                   models.Index(fields=["status", "progress_at"], name="erp_import_watchdog_idx")]

    def __str__(self) -> str:
        return f"{self.id} {self.status}"
