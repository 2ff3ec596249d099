"""Read-only admin for monitoring rows (operators browse them; only the pipeline writes them)."""
from django.contrib import admin

from monitoring.models import (
    AccessLog,
    AlertState,
    InboundMonitoringEvent,
    InboxNotification,
    MonitoringEvent,
    MonitoringRollup,
    NotificationHistory,
    NotificationPreference,
    OutboundMonitoringEvent,
)


@admin.register(InboundMonitoringEvent)
class InboundMonitoringEventAdmin(admin.ModelAdmin):
    list_display = ("completed_at", "organization", "integration_id", "object_type", "sync_type", "status",
                    "error_code", "processing_duration_ms")
    list_filter = ("sync_type", "v1_status", "error_category")
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MonitoringEvent)
class MonitoringEventAdmin(ReadOnlyAdmin):
    """Every store row (v2 view: level and code), including rows the v1 inbound list does not show."""

    list_display = ("completed_at", "organization", "integration_id", "source", "use_case_type", "level", "code",
                    "message")
    list_filter = ("level", "source", "use_case_type")
    search_fields = ("event_id", "correlation_id", "integration_id", "use_case_id", "code")
    date_hierarchy = "completed_at"
    ordering = ("-completed_at",)


@admin.register(MonitoringRollup)
class MonitoringRollupAdmin(ReadOnlyAdmin):
    list_display = ("bucket", "grain", "integration_id", "use_case_type", "level", "code", "rows")
    list_filter = ("grain", "level")
    search_fields = ("integration_id", "code")
    ordering = ("-bucket",)


@admin.register(AlertState)
class AlertStateAdmin(ReadOnlyAdmin):
    list_display = ("integration_id", "rule_id", "state", "last_fired_at", "last_cleared_at", "last_evaluated_at")
    list_filter = ("state",)
    search_fields = ("integration_id", "rule_id")


@admin.register(NotificationHistory)
class NotificationHistoryAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "integration_id", "type", "state_transition", "notified", "suppressed_reason",
                    "title")
    list_filter = ("type", "notified", "suppressed_reason")
    search_fields = ("integration_id", "rule_id", "title")
    ordering = ("-occurred_at",)


@admin.register(InboxNotification)
class InboxNotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "kind", "severity", "title", "read_at")
    list_filter = ("kind", "severity")
    search_fields = ("title",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """A user's switch for alert notifications (off: alerts to them are recorded as recipient_opt_out)."""

    list_display = ("user", "enabled")
    list_filter = ("enabled",)
