"""queryOutboundMonitoringEvents request/response shapes."""
from rest_framework import serializers


class OutboundCursorSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField(required=False)
    event_id = serializers.CharField(required=False)
    row_id = serializers.IntegerField(required=False, help_text="Tie-breaker between rows of one event")


class QueryOutboundMonitoringEventsRequestSerializer(serializers.Serializer):
    event_name = serializers.CharField(required=False, max_length=255)
    status = serializers.ChoiceField(choices=["succeeded", "failed", "pending"], required=False)
    webhook_config_id = serializers.CharField(required=False, max_length=255)
    from_date = serializers.DateTimeField(required=False)
    to_date = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
    cursor = OutboundCursorSerializer(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("from_date") and attrs.get("to_date") and attrs["from_date"] > attrs["to_date"]:
            raise serializers.ValidationError({"to_date": "must not be before from_date"})
        cursor = attrs.get("cursor")
        if cursor and ("created_at" not in cursor or "event_id" not in cursor):
            raise serializers.ValidationError({"cursor": "needs created_at and event_id (use next_cursor)"})
        return attrs


class OutboundMonitoringEventSerializer(serializers.Serializer):
    org_id = serializers.CharField()
    event_id = serializers.CharField()
    event_name = serializers.CharField()
    status = serializers.ChoiceField(choices=["succeeded", "failed", "pending"])
    url = serializers.CharField()
    http_method = serializers.CharField()
    http_response = serializers.DictField(required=False, help_text="{status_code, message, headers}")
    webhook_config_id = serializers.CharField(required=False)
    metadata = serializers.DictField()
    execution_context = serializers.DictField()
    payload = serializers.DictField(required=False)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    integration_id = serializers.CharField(required=False)
    use_case_id = serializers.CharField(required=False)
    mapping_id = serializers.CharField(required=False)
    error_message = serializers.CharField(required=False)
    attempts = serializers.ListField(child=serializers.DictField(), help_text="One entry per delivery attempt")


class QueryOutboundMonitoringEventsResponseSerializer(serializers.Serializer):
    data = OutboundMonitoringEventSerializer(many=True)
    next_cursor = OutboundCursorSerializer(allow_null=True)
    has_more = serializers.BooleanField()
