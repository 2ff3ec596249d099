"""Operator views of the entity store. Lists avoid COUNT(*) over millions of rows (show_full_result_count)."""
from django.contrib import admin, messages

from entities.models import Entity, EntityRelation, EntitySchema, EntitySyncState, MeterReading
from entities.services import restore_entity


class OutgoingRelationInline(admin.TabularInline):
    model = EntityRelation
    fk_name = "source"
    extra = 0
    fields = ["attribute", "kind", "target"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["id", "schema", "organization", "updated_at", "last_synced_at", "deleted_at"]
    list_filter = ["schema", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["=id"]
    readonly_fields = ["id", "created_at", "updated_at", "last_synced_at", "last_event_id", "last_integration_id"]
    raw_id_fields = ["organization"]
    show_full_result_count = False
    inlines = [OutgoingRelationInline]
    actions = ["restore_selected"]

    @admin.action(description="Restore selected entities from the recycle bin")
    def restore_selected(self, request, queryset):
        restored = 0
        for entity in queryset.filter(deleted_at__isnull=False):
            restore_entity(entity.organization, entity.pk)
            restored += 1
        self.message_user(request, f"Restored {restored} entities", messages.SUCCESS)


@admin.register(MeterReading)
class MeterReadingAdmin(admin.ModelAdmin):
    list_display = ["external_id", "meter", "counter", "timestamp", "value", "source", "reason", "direction"]
    list_filter = ["source", "reason"]
    search_fields = ["=external_id", "=meter__id"]
    raw_id_fields = ["organization", "meter", "counter"]
    readonly_fields = ["id", "created_at", "updated_at", "last_event_id", "last_integration_id"]
    show_full_result_count = False


@admin.register(EntitySyncState)
class EntitySyncStateAdmin(admin.ModelAdmin):
    """Read-only: written by the entity store with each inbound write."""

    list_display = ["entity_id", "entity_slug", "integration_id", "last_operation", "last_synced_at",
                    "last_changed_at", "readings_last_synced_at"]
    list_filter = ["entity_slug", "last_operation"]
    search_fields = ["=entity_id", "=integration_id"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EntitySchema)
class EntitySchemaAdmin(admin.ModelAdmin):
    list_display = ["slug", "organization", "conditions", "overridable", "version_attribute", "updated_at"]
    list_filter = ["organization"]
    search_fields = ["slug"]
