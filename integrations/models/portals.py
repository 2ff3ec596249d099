"""The organisation's portal configurations: what ``portal_ref`` fields resolve against.

Self-hosted, there is no portal service to ask, so each organisation keeps a small registry (admin, UI
page, JSON import). ``portal_created_at`` is the portal's own creation time (``_created_at`` upstream),
used for the oldest-first order; it may be unknown (null sorts first). See docs/environment-mapping.md.
"""
import uuid

from django.db import models


class PortalOrigin(models.TextChoices):
    END_CUSTOMER_PORTAL = "END_CUSTOMER_PORTAL", "End customer portal"
    INSTALLER_PORTAL = "INSTALLER_PORTAL", "Installer portal"
    B2B_PORTAL = "B2B_PORTAL", "B2B portal"
    ADDITIONAL_PORTAL = "ADDITIONAL_PORTAL", "Additional portal"


class PortalConfig(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE,
                                     related_name="portal_configs")
    portal_id = models.CharField(max_length=255)
    origin = models.CharField(max_length=32, choices=PortalOrigin.choices)
    name = models.CharField(max_length=255, blank=True, default="")
    domain = models.CharField(max_length=255, blank=True, default="")
    enabled = models.BooleanField(default=True)
    is_dummy = models.BooleanField(default=False)
    is_epilot_domain = models.BooleanField(default=False)
    portal_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["portal_created_at", "portal_id"]
        constraints = [models.UniqueConstraint(fields=["organization", "portal_id"], name="uniq_portal_config")]

    def __str__(self) -> str:
        return f"{self.name or self.portal_id} ({self.origin})"
