"""Monitoring API request/response shapes."""
from rest_framework import serializers

from monitoring.stats import DIRECTIONS, INBOUND_GROUP_BY, INTERVALS, OUTBOUND_GROUP_BY


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


def _check_date_order(attrs):
    if attrs.get("from_date") and attrs.get("to_date") and attrs["from_date"] > attrs["to_date"]:
        raise serializers.ValidationError({"to_date": "must not be before from_date"})


class GetMonitoringStatsRequestSerializer(serializers.Serializer):
    from_date = serializers.DateTimeField(required=False)
    to_date = serializers.DateTimeField(required=False)
    inbound_group_by = serializers.ListField(
        child=serializers.ChoiceField(choices=list(INBOUND_GROUP_BY)), required=False, default=list
    )
    outbound_group_by = serializers.ListField(
        child=serializers.ChoiceField(choices=list(OUTBOUND_GROUP_BY)), required=False, default=list
    )

    def validate_inbound_group_by(self, value):
        return list(dict.fromkeys(value))  # a key named twice groups once

    def validate_outbound_group_by(self, value):
        return list(dict.fromkeys(value))

    def validate(self, attrs):
        _check_date_order(attrs)
        return attrs


class MonitoringStatsSerializer(serializers.Serializer):
    """Documentation of the ``MonitoringStats`` body (the selector builds it)."""

    inbound = serializers.DictField()
    outbound = serializers.DictField()


class GetMonitoringTimeSeriesRequestSerializer(serializers.Serializer):
    from_date = serializers.DateTimeField()
    to_date = serializers.DateTimeField(required=False)
    interval = serializers.ChoiceField(choices=list(INTERVALS))
    direction = serializers.ChoiceField(choices=list(DIRECTIONS), default="both")

    def validate(self, attrs):
        _check_date_order(attrs)
        return attrs


class TimeSeriesBucketSerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    inbound = serializers.DictField(allow_null=True)
    outbound = serializers.DictField(allow_null=True)


class GetMonitoringTimeSeriesResponseSerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=list(INTERVALS))
    from_date = serializers.DateTimeField()
    to_date = serializers.DateTimeField()
    buckets = TimeSeriesBucketSerializer(many=True)


class AccessLogCursorSerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField(required=False)
    request_id = serializers.CharField(required=False, max_length=64)


class QueryAccessLogsRequestSerializer(serializers.Serializer):
    token_id = serializers.CharField(required=False, max_length=255)
    service = serializers.CharField(required=False, max_length=64)
    method = serializers.ChoiceField(choices=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"], required=False)
    path = serializers.CharField(required=False, max_length=4096)
    status = serializers.IntegerField(required=False, min_value=0, max_value=999)  # 7 matches nothing (no range in the contract)
    from_date = serializers.DateTimeField(required=False)
    to_date = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
    cursor = AccessLogCursorSerializer(required=False, allow_null=True)

    def validate(self, attrs):
        _check_date_order(attrs)
        cursor = attrs.get("cursor")
        if cursor and ("timestamp" not in cursor or "request_id" not in cursor):
            raise serializers.ValidationError({"cursor": "needs timestamp and request_id (use next_cursor)"})
        return attrs


class AccessLogEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    environment = serializers.CharField()
    service = serializers.CharField()
    request_id = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    status = serializers.IntegerField()
    response_latency_ms = serializers.IntegerField()
    response_length = serializers.IntegerField()
    token_id = serializers.CharField()
    org_id = serializers.CharField()
    origin = serializers.CharField()
    source_ip = serializers.CharField()


class QueryAccessLogsResponseSerializer(serializers.Serializer):
    data = AccessLogEntrySerializer(many=True)
    next_cursor = AccessLogCursorSerializer(allow_null=True)
    has_more = serializers.BooleanField()
