"""Documentation pages of an integration: one general page, and at most one page per use case.

The page id on the wire is ``general`` or the use case's id; it is stored as ``doc_id`` so the pair
(integration, doc_id) is the invariant the contract asks for. Pages go with their integration or use case
(FK cascade). See docs/documentation-pages.md.
"""
import uuid

from django.db import models

GENERAL_DOC_ID = "general"


class DocumentationScope(models.TextChoices):
    INTEGRATION = "integration", "Integration"
    USE_CASE = "use_case", "Use case"


class DocumentationPage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey("integrations.Integration", on_delete=models.CASCADE,
                                    related_name="documentation_pages")
    use_case = models.ForeignKey("integrations.UseCase", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="documentation_pages")
    doc_id = models.CharField(max_length=36)
    scope = models.CharField(max_length=16, choices=DocumentationScope.choices)
    title = models.CharField(max_length=150)
    content = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=255, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["created_at", "doc_id"]
        constraints = [models.UniqueConstraint(fields=["integration", "doc_id"], name="uniq_documentation_page")]

    def __str__(self) -> str:
        return self.title
