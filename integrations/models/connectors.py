"""Connectors: the shapes of every committed type package (what the next preview compares against)."""
import uuid

from django.db import models


class TypesCommit(models.Model):
    """One ``commitTypes``: the package name and version and the inferred shapes per managed-call slug."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="types_commits")
    version = models.CharField(max_length=64)
    package_name = models.CharField(max_length=214)
    shapes = models.JSONField(default=dict)  # {slug: {request_shape, response_shape}}
    generated_by = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["integration", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.package_name}@{self.version}"
