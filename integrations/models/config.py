"""Configuration: integrations, their use cases with history, and app mappings
(docs/configuration-validation.md, integrations, use cases and their history)."""
import uuid

from django.db import models


class Integration(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, null=True)
    access_token_ids = models.JSONField(default=list, blank=True)
    app_ids = models.JSONField(default=list, blank=True)
    environment_config = models.JSONField(default=list, blank=True)
    settings = models.JSONField(null=True, blank=True)
    # v1.33 IntegrationEditableFields (docs/contract-versions.md): stored and returned as given.
    integration_type = models.CharField(max_length=16, default="erp")
    connector_config = models.JSONField(null=True, blank=True)
    protected = models.BooleanField(default=False)
    manifest = models.JSONField(null=True, blank=True)  # the contract's ``_manifest``
    maps = models.JSONField(default=list, blank=True)  # IntegrationMap[]: key/value lookup tables ($env.<key>)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return self.name


class UseCaseType(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    FILE_PROXY = "file_proxy", "File proxy"
    MANAGED_CALL = "managed_call", "Managed call"
    SECURE_PROXY = "secure_proxy", "Secure proxy"


class UseCase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="use_cases")
    name = models.CharField(max_length=255)
    slug = models.CharField(max_length=255, null=True, blank=True)
    type = models.CharField(max_length=16, choices=UseCaseType.choices)
    enabled = models.BooleanField(default=True)
    configuration = models.JSONField(null=True, blank=True)
    change_description = models.TextField(null=True, blank=True)
    # The user id of the change that produced this version; empty for changes without a user (C12/1.3).
    changed_by = models.CharField(max_length=255, blank=True, default="")
    # managed_call only: developer type annotations and the commitTypes lock.
    type_annotations = models.JSONField(null=True, blank=True)
    types_locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "slug"], condition=models.Q(slug__isnull=False), name="uniq_use_case_slug"
            )
        ]
        indexes = [models.Index(fields=["integration", "type", "enabled"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"


class UseCaseHistory(models.Model):
    """A snapshot of a use case *before* one of its updates (docs/configuration-validation.md, history)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="history")
    name = models.CharField(max_length=255)
    slug = models.CharField(max_length=255, null=True, blank=True)
    type = models.CharField(max_length=16, choices=UseCaseType.choices)
    enabled = models.BooleanField()
    configuration = models.JSONField(null=True, blank=True)
    change_description = models.TextField(null=True, blank=True)
    type_annotations = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    history_created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # who made the update that replaced this snapshot (a user id; empty when no user was involved)
    changed_by = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-history_created_at", "-id"]
        indexes = [models.Index(fields=["use_case", "-history_created_at"])]

    def __str__(self) -> str:
        return f"{self.name} before {self.history_created_at:%Y-%m-%d %H:%M}"


class AppMapping(models.Model):
    """Routes v1 events of (app_id, component_id) to an integration; one pair per organisation."""

    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="app_mappings")
    app_id = models.CharField(max_length=255)
    component_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "app_id", "component_id"], name="uniq_app_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.app_id}/{self.component_id} -> {self.integration_id}"
