"""Operator views of the portal registry (``portal_ref``) and of documentation pages."""
from django.contrib import admin

from integrations.models import DocumentationPage, PortalConfig


@admin.register(PortalConfig)
class PortalConfigAdmin(admin.ModelAdmin):
    list_display = ["portal_id", "name", "origin", "domain", "enabled", "is_dummy", "organization",
                    "portal_created_at"]
    list_filter = ["origin", "enabled", "is_dummy", "is_epilot_domain"]
    search_fields = ["portal_id", "name", "domain", "organization__id"]
    raw_id_fields = ["organization"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(DocumentationPage)
class DocumentationPageAdmin(admin.ModelAdmin):
    """Read-only: pages are edited in the integration's Documentation tab or through the API."""

    list_display = ["title", "doc_id", "scope", "integration", "updated_at", "updated_by"]
    list_filter = ["scope"]
    search_fields = ["title", "integration__name"]
    readonly_fields = ["id", "organization", "integration", "use_case", "doc_id", "scope", "title", "content",
                       "created_at", "created_by", "updated_at", "updated_by"]

    def has_add_permission(self, request):
        return False
