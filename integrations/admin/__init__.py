"""Operator views of the configuration. Writes that must keep invariants go through the services.

Use case changes made here are saved with ``update_use_case`` so they get a history snapshot like any
other change; configurations are edited in the UI or API, where they are validated, so they are read-only
here. History rows are an audit trail and cannot be edited at all.
"""
from django.contrib import admin, messages
from django.db.models import Count

from erpintegration.exceptions import ApplicationError
from integrations.models import (
    AppMapping,
    CatalogEvent,
    Integration,
    OutboundDelivery,
    TypesCommit,
    UseCase,
    UseCaseHistory,
    Webhook,
)
from integrations.setup.services import use_cases as use_case_services


class UseCaseInline(admin.TabularInline):
    model = UseCase
    extra = 0
    fields = ["name", "slug", "type", "enabled", "updated_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "id", "use_case_count", "created_at", "updated_at"]
    list_filter = ["organization", "created_at"]
    search_fields = ["name", "description", "id", "organization__name", "organization__id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    list_select_related = ["organization"]
    inlines = [UseCaseInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving an integration between organisations would orphan its use cases in the old one.
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_use_case_count=Count("use_cases"))

    @admin.display(description="use cases", ordering="_use_case_count")
    def use_case_count(self, obj):
        return obj._use_case_count


@admin.register(UseCase)
class UseCaseAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "type", "enabled", "integration", "organization", "updated_at"]
    list_filter = ["type", "enabled", "organization"]
    search_fields = ["name", "slug", "id", "integration__name", "integration__id"]
    list_select_related = ["integration", "organization"]
    fields = ["id", "organization", "integration", "name", "slug", "type", "enabled", "change_description",
              "configuration", "created_at", "updated_at"]
    readonly_fields = ["id", "organization", "integration", "slug", "type", "configuration", "created_at",
                       "updated_at"]

    def has_add_permission(self, request):
        return False  # created through the API or UI, which derive slugs and validate configurations

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.changed_data if field in ("name", "enabled")}
        data["change_description"] = form.cleaned_data.get("change_description") or "Changed in the admin"
        current = UseCase.objects.get(pk=obj.pk)
        try:
            use_case_services.update_use_case(obj.organization, current, data, actor=str(request.user.pk))
        except ApplicationError as exc:
            messages.error(request, exc.message)


@admin.register(UseCaseHistory)
class UseCaseHistoryAdmin(admin.ModelAdmin):
    list_display = ["use_case", "name", "type", "enabled", "changed_by", "history_created_at", "organization"]
    list_filter = ["type", "organization", "history_created_at"]
    search_fields = ["name", "slug", "changed_by", "change_description", "use_case__id", "integration__id"]
    list_select_related = ["use_case", "organization"]
    date_hierarchy = "history_created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TypesCommit)
class TypesCommitAdmin(admin.ModelAdmin):
    """Committed type packages (commitTypes); read-only: the bookkeeping is written by the API."""

    list_display = ["package_name", "version", "integration", "generated_by", "created_at", "organization"]
    list_filter = ["organization", "created_at"]
    search_fields = ["package_name", "version", "integration__id"]
    list_select_related = ["integration", "organization"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AppMapping)
class AppMappingAdmin(admin.ModelAdmin):
    list_display = ["app_id", "component_id", "integration", "organization", "updated_at"]
    list_filter = ["organization"]
    search_fields = ["app_id", "component_id", "integration__name", "integration__id"]
    list_select_related = ["integration", "organization"]
    readonly_fields = ["organization", "integration", "app_id", "component_id", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # set through the API, which checks the integration belongs to the organisation


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Secrets and headers are encrypted and never shown; rotate secrets through the API."""

    list_display = ["name", "organization", "url", "enabled", "created_at"]
    list_filter = ["enabled", "organization"]
    search_fields = ["name", "url", "id"]
    fields = ["id", "organization", "name", "url", "enabled", "created_at", "updated_at"]
    readonly_fields = ["id", "organization", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # created through the API, which generates and shows the secret once


@admin.register(CatalogEvent)
class CatalogEventAdmin(admin.ModelAdmin):
    list_display = ["event_name", "event_id", "organization", "event_time", "source"]
    list_filter = ["event_name", "organization"]
    search_fields = ["event_id", "event_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(OutboundDelivery)
class OutboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_name", "webhook_ref", "status", "attempts", "organization", "created_at"]
    list_filter = ["status", "organization"]
    search_fields = ["event_id", "event_name", "id", "webhook_ref"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

# Registering the other admin modules' models: they import this package's helpers, so they come last.
from integrations.admin import environment, events, imports, stream  # noqa: E402,F401
