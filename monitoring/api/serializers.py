"""Monitoring API request/response shapes."""
from rest_framework import serializers


class InboundCursorSerializer(serializers.Serializer):
    completed_at = serializers.DateTimeField(required=False)
    event_id = serializers.CharField(required=False)
    row_id = serializers.IntegerField(required=False, help_text="Tie-breaker between rows of one event")


class QueryInboundMonitoringEventsRequestSerializer(serializers.Serializer):
    use_case_id = serializers.UUIDField(required=False)
    event_type = serializers.ChoiceField(choices=["CREATE", "UPDATE", "DELETE", "TRIGGER"], required=False)
    sync_type = serializers.ChoiceField(choices=["entity", "meter_reading", "webhook", "api_deprecation"], required=False)
    status = serializers.ChoiceField(choices=["success", "error", "skipped", "warning"], required=False)
    error_category = serializers.ChoiceField(
        choices=["validation", "configuration", "downstream_api", "timeout", "system"], required=False
    )
    correlation_id = serializers.CharField(required=False)
    object_type = serializers.CharField(required=False)
    event_name = serializers.CharField(required=False)
    event_id = serializers.CharField(required=False)
    from_date = serializers.DateTimeField(required=False)
    to_date = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
    cursor = InboundCursorSerializer(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("from_date") and attrs.get("to_date") and attrs["from_date"] > attrs["to_date"]:
            raise serializers.ValidationError({"to_date": "must not be before from_date"})
        cursor = attrs.get("cursor")
        if cursor and ("completed_at" not in cursor or "event_id" not in cursor):
            raise serializers.ValidationError({"cursor": "needs completed_at and event_id (use next_cursor)"})
        return attrs


class InboundMonitoringEventSerializer(serializers.Serializer):
    org_id = serializers.CharField()
    event_id = serializers.CharField()
    correlation_id = serializers.CharField(allow_null=True)
    integration_id = serializers.CharField(allow_null=True)
    use_case_id = serializers.CharField(allow_null=True)
    event_type = serializers.CharField(required=False)
    object_type = serializers.CharField()
    sync_type = serializers.CharField()
    status = serializers.CharField()
    error_code = serializers.CharField(allow_null=True)
    error_message = serializers.CharField(allow_null=True)
    error_category = serializers.CharField(allow_null=True)
    processing_duration_ms = serializers.IntegerField(allow_null=True)
    received_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField()
    details = serializers.DictField(required=False)


class QueryInboundMonitoringEventsResponseSerializer(serializers.Serializer):
    data = InboundMonitoringEventSerializer(many=True)
    next_cursor = InboundCursorSerializer(allow_null=True)
    has_more = serializers.BooleanField()
