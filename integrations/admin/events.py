"""Admin for the inbound pipeline's rows: read-only, since only the pipeline writes them."""
from django.contrib import admin

from integrations.models import (
    ErpEvent,
    EventDeduplication,
    EventProcessingLock,
    EventSequence,
    ReplayJob,
    SamplePayload,
    TrackingRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ErpEvent)
class ErpEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "organization", "integration", "api_version", "event_name", "status",
                    "attempts", "correlation_id")
    list_filter = ("status", "api_version", "format")
    search_fields = ("id", "event_name", "correlation_id", "deduplication_id", "use_case_slug")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    list_select_related = ("organization", "integration")


@admin.register(EventDeduplication)
class EventDeduplicationAdmin(ReadOnlyAdmin):
    list_display = ("deduplication_id", "integration", "event_id", "expires_at")
    search_fields = ("deduplication_id", "event_id")
    list_select_related = ("integration",)


@admin.register(EventSequence)
class EventSequenceAdmin(ReadOnlyAdmin):
    list_display = ("pk", "last_sequence")


@admin.register(EventProcessingLock)
class EventProcessingLockAdmin(ReadOnlyAdmin):
    list_display = ("pk", "last_processed_sequence")


@admin.register(TrackingRecord)
class TrackingRecordAdmin(admin.ModelAdmin):
    """Operators may delete a stale record (the same as acknowledging it); nothing else changes."""

    list_display = ("created_at", "organization", "integration", "event_name", "webhook_id", "event_id")
    search_fields = ("event_id", "event_name", "webhook_id")
    list_select_related = ("organization", "integration")
    exclude = ("ack_id",)  # the ack id is a capability: never shown

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReplayJob)
class ReplayJobAdmin(ReadOnlyAdmin):
    """Replay-all jobs and their progress (started from the events page or ``manage.py replay_events``)."""

    list_display = ["id", "organization", "integration", "status", "done", "total", "errors", "created_by", "created_at"]
    list_filter = ["status", "organization"]
    search_fields = ["id", "integration__name", "created_by"]


@admin.register(SamplePayload)
class SamplePayloadAdmin(admin.ModelAdmin):
    """Named sample payloads of use cases (edited in the use-case editor)."""

    list_display = ["name", "use_case", "organization", "format", "updated_at"]
    list_filter = ["format", "organization"]
    search_fields = ["name", "use_case__name"]
    readonly_fields = ["id", "organization", "use_case", "created_by", "created_at", "updated_at"]
