"""Query parameters of the read API, and the response shapes (for the OpenAPI document)."""
from rest_framework import serializers


class PageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, allow_blank=False, help_text="`next_cursor` of the page before")
    limit = serializers.IntegerField(required=False, default=25, min_value=1, max_value=100)


class EntityListQuerySerializer(PageQuerySerializer):
    include_deleted = serializers.BooleanField(required=False, default=False)


class EntityDetailQuerySerializer(serializers.Serializer):
    include_deleted = serializers.BooleanField(required=False, default=False)


class MeterReadingQuerySerializer(PageQuerySerializer):
    meter_id = serializers.UUIDField()
    counter_id = serializers.UUIDField(required=False)


class SyncStatusSerializer(serializers.Serializer):
    last_synced_at = serializers.DateTimeField(allow_null=True, help_text="Last time an event wrote this entity")
    last_event_id = serializers.CharField(allow_null=True, help_text="The event that last changed it")
    last_integration_id = serializers.CharField(allow_null=True)


class EntitySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    schema = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    attributes = serializers.DictField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    sync_status = SyncStatusSerializer()


class RelatedEntitySerializer(serializers.Serializer):
    entity_id = serializers.UUIDField()
    schema = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    _tags = serializers.ListField(child=serializers.CharField(), required=False)


class RelationRefSerializer(serializers.Serializer):
    entity_id = serializers.UUIDField()
    schema = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    path = serializers.CharField()
    _id = serializers.CharField(allow_null=True)
    value = serializers.DictField(allow_null=True, help_text="The referenced item of the repeatable attribute")


class EntityDetailSerializer(EntitySerializer):
    relations = serializers.DictField(child=RelatedEntitySerializer(many=True))
    relation_refs = serializers.DictField(child=RelationRefSerializer(many=True))


class EntityPageSerializer(serializers.Serializer):
    results = EntitySerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class MeterReadingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    meter_id = serializers.UUIDField()
    counter_id = serializers.UUIDField(allow_null=True)
    external_id = serializers.CharField(allow_null=True)
    timestamp = serializers.DateTimeField()
    value = serializers.FloatField()
    source = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    direction = serializers.CharField(allow_null=True)
    attributes = serializers.DictField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MeterReadingPageSerializer(serializers.Serializer):
    results = MeterReadingSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class StoreErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
