"""Read-only admin for monitoring rows (operators browse them; only the pipeline writes them)."""
from django.contrib import admin

from monitoring.models import AccessLog, InboundMonitoringEvent, OutboundMonitoringEvent


@admin.register(InboundMonitoringEvent)
class InboundMonitoringEventAdmin(admin.ModelAdmin):
    list_display = ("completed_at", "organization", "integration_id", "object_type", "sync_type", "status",
                    "error_code", "processing_duration_ms")
    list_filter = ("sync_type", "status", "error_category")
    search_fields = ("event_id", "correlation_id", "integration_id", "use_case_id", "error_code")
    date_hierarchy = "completed_at"
    ordering = ("-completed_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "organization", "token_id", "method", "path", "status", "response_latency_ms",
                    "source_ip")
    list_filter = ("method", "status", "service")
    search_fields = ("request_id", "token_id", "path", "source_ip")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundMonitoringEvent)
class OutboundMonitoringEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "event_name", "status", "webhook_config_id", "url", "updated_at")
    list_filter = ("status",)
    search_fields = ("event_id", "event_name", "integration_id", "use_case_id", "webhook_config_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
