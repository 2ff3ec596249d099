"""Admin views of the pollable outbound stream: read-only (every change goes through the stream's services,
which keep the lease, the block and the order consistent)."""
from django.contrib import admin

from integrations.admin.events import ReadOnlyAdmin
from integrations.models import OutboundQueueItem, OutboundStream


@admin.register(OutboundStream)
class OutboundStreamAdmin(ReadOnlyAdmin):
    list_display = ("integration", "organization", "lease_expires_at", "blocked_item_id", "last_poll_at",
                    "last_ack_at", "visibility_timeout_seconds")
    list_select_related = ("integration", "organization")


@admin.register(OutboundQueueItem)
class OutboundQueueItemAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "integration", "event_name", "state", "delivery_attempts", "enqueued_at",
                    "expires_at")
    list_filter = ("state",)
    search_fields = ("message_id", "event_id")
    list_select_related = ("integration",)
