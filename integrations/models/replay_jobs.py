"""A background "replay all events matching this filter" job and its progress."""
import uuid

from django.db import models


class ReplayJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReplayJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE, related_name="replay_jobs")
    criteria = models.JSONField(default=dict, blank=True)  # the event filter, plain values (see services.replay_jobs)
    status = models.CharField(max_length=16, choices=ReplayJobStatus.choices, default=ReplayJobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    replayed = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    created_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"replay {self.id} ({self.status} {self.done}/{self.total})"

    @property
    def percent(self) -> int:
        if self.status == ReplayJobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (ReplayJobStatus.DONE, ReplayJobStatus.FAILED)
