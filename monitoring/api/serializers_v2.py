"""Monitoring v2 request shapes (docs/monitoring.md, the v1.33 operations)."""
from rest_framework import serializers

from monitoring.stats import INTERVALS
from monitoring.stats_v2 import GROUP_BY, USE_CASE_TYPES

LEVEL_FILTERS = ["success", "error", "info", "warning", "skipped"]


def _check_date_order(attrs):
    if attrs.get("from_date") and attrs.get("to_date") and attrs["from_date"] > attrs["to_date"]:
        raise serializers.ValidationError({"to_date": "must not be before from_date"})


class CursorV2Serializer(serializers.Serializer):
    created_at = serializers.DateTimeField(required=False)
    id = serializers.UUIDField(required=False, format="hex_verbose")


class QueryMonitoringEventsV2RequestSerializer(serializers.Serializer):
    use_case_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    use_case_type = serializers.ChoiceField(choices=list(USE_CASE_TYPES), required=False)
    level = serializers.ChoiceField(choices=LEVEL_FILTERS, required=False)
    code = serializers.CharField(required=False, max_length=64)
    event_id = serializers.CharField(required=False, max_length=64)
    correlation_id = serializers.CharField(required=False, max_length=255)
    from_date = serializers.DateTimeField(required=False)
    to_date = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=50)
    cursor = CursorV2Serializer(required=False, allow_null=True)

    def validate(self, attrs):
        _check_date_order(attrs)
        return attrs


class GetMonitoringStatsV2RequestSerializer(serializers.Serializer):
    from_date = serializers.DateTimeField(required=False)
    to_date = serializers.DateTimeField(required=False)
    use_case_type = serializers.ChoiceField(choices=list(USE_CASE_TYPES), required=False)
    use_case_types = serializers.ListField(child=serializers.ChoiceField(choices=list(USE_CASE_TYPES)),
                                          required=False)
    group_by = serializers.ChoiceField(choices=list(GROUP_BY), required=False)
    source = serializers.ChoiceField(choices=["monitoring", "incoming"], default="monitoring")

    def validate(self, attrs):
        _check_date_order(attrs)
        if attrs["source"] == "incoming" and attrs.get("group_by") not in (None, "use_case_id"):
            raise serializers.ValidationError({"group_by": "only use_case_id is supported with source=incoming"})
        return attrs


class GetMonitoringTimeSeriesV2RequestSerializer(serializers.Serializer):
    from_date = serializers.DateTimeField()
    to_date = serializers.DateTimeField(required=False)
    interval = serializers.ChoiceField(choices=list(INTERVALS))
    use_case_type = serializers.ChoiceField(choices=list(USE_CASE_TYPES), required=False)
    group_by = serializers.ChoiceField(choices=["use_case_type", "use_case"], required=False)

    def validate(self, attrs):
        _check_date_order(attrs)
        return attrs


class IngestExternalMonitoringEventsRequestSerializer(serializers.Serializer):
    events = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=100)
