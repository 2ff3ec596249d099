"""Named sample payloads of a use case: what the consultant simulates with, kept across saves and reloads."""
import uuid

from django.db import models


class SamplePayload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    use_case = models.ForeignKey("integrations.UseCase", on_delete=models.CASCADE, related_name="sample_payloads")
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=8, default="json")
    payload = models.TextField()
    created_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["use_case", "name"], name="uniq_sample_payload_name")]

    def __str__(self) -> str:
        return self.name
