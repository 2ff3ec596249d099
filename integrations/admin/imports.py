"""Operator view of ERP import jobs: read-only (state changes go through the API or the Imports page)."""
from django.contrib import admin

from integrations.models import ErpImport


@admin.register(ErpImport)
class ErpImportAdmin(admin.ModelAdmin):
    list_display = ["id", "organization", "status", "filename", "use_case_slug", "created_at"]
    list_filter = ["status", "format"]
    search_fields = ["id", "filename"]
    readonly_fields = [f.name for f in ErpImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
