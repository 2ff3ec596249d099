"""Request/response shapes of the inbound operations. Event envelopes are validated by the service (one
result per event, so a bad event does not fail the request); these serializers describe them for the
OpenAPI document and validate the query/replay/ack bodies."""
from rest_framework import serializers

from erpintegration.api.serializers import MessageSerializer  # noqa: F401  (re-exported for views)

EVENT_TYPES = ["CREATE", "UPDATE", "DELETE"]


class ErpEventSerializer(serializers.Serializer):
    event_type = serializers.ChoiceField(choices=EVENT_TYPES)
    object_type = serializers.CharField()
    timestamp = serializers.DateTimeField()
    format = serializers.ChoiceField(choices=["json", "xml"], default="json")
    payload = serializers.JSONField(help_text="A JSON/XML string (>= 2 chars) or a JSON object")
    deduplication_id = serializers.RegexField(r"^[a-zA-Z0-9_-]+$", max_length=255, required=False)
    correlation_id = serializers.CharField(required=False, max_length=255,
                                           help_text="Per-event trace id; overrides the request's")


class ErpEventV3Serializer(serializers.Serializer):
    event_name = serializers.CharField(required=False)
    correlation_id = serializers.CharField(required=False, max_length=255,
                                           help_text="Per-event trace id; overrides the request's")
    group_id = serializers.CharField(required=False, max_length=128,
                                     help_text="Per-event lane; overrides the request's group_id")
    use_case_slug = serializers.RegexField(r"^[a-z0-9][a-z0-9_-]*$", max_length=255, required=False)
    timestamp = serializers.DateTimeField()
    format = serializers.ChoiceField(choices=["json", "xml"], default="json")
    payload = serializers.JSONField(help_text="A JSON/XML string (>= 2 chars) or a JSON object")
    deduplication_id = serializers.RegexField(r"^[a-zA-Z0-9_-]+$", max_length=255, required=False)


class ErpUpdatesEventsV1RequestSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    component_id = serializers.CharField()
    meta = serializers.DictField()
    events = ErpEventSerializer(many=True)


class ErpUpdatesEventsV2RequestSerializer(serializers.Serializer):
    integration_id = serializers.UUIDField()
    correlation_id = serializers.CharField(required=False)
    events = ErpEventSerializer(many=True)


class ErpUpdatesEventsV3RequestSerializer(serializers.Serializer):
    integration_id = serializers.UUIDField()
    correlation_id = serializers.CharField(required=False)
    group_id = serializers.CharField(
        required=False, max_length=128,
        help_text="Events of one group are applied in order, groups in parallel (at most 20 at a time); "
        "without a group, the integration's events are applied strictly in order.")
    events = ErpEventV3Serializer(many=True)


class EventResultSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["success", "error", "skipped", "ignored"])
    message = serializers.CharField(required=False)


class ErpUpdatesResponseSerializer(serializers.Serializer):
    results = EventResultSerializer(many=True)


class EventsCursorSerializer(serializers.Serializer):
    event_time = serializers.DateTimeField(required=False)
    event_id = serializers.CharField(required=False)


class QueryEventsRequestSerializer(serializers.Serializer):
    event_id = serializers.CharField(required=False)
    event_type = serializers.ChoiceField(choices=EVENT_TYPES, required=False)
    correlation_id = serializers.CharField(required=False)
    object_type = serializers.CharField(required=False)
    event_name = serializers.CharField(required=False)
    use_case_id = serializers.CharField(required=False, min_length=1)
    limit = serializers.IntegerField(min_value=1, max_value=25, default=25)
    cursor = EventsCursorSerializer(required=False, allow_null=True)


class StoredEventSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    event_time = serializers.DateTimeField()
    event_type = serializers.ChoiceField(choices=EVENT_TYPES)
    object_type = serializers.CharField()
    timestamp = serializers.DateTimeField()
    format = serializers.CharField()
    payload = serializers.CharField()
    correlation_id = serializers.CharField()
    use_case_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()


class QueryEventsResponseSerializer(serializers.Serializer):
    data = StoredEventSerializer(many=True)
    next_cursor = EventsCursorSerializer(allow_null=True)
    has_more = serializers.BooleanField()


class ReplayEventsRequestSerializer(serializers.Serializer):
    event_ids = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=100
    )


class ReplayResultSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["success", "queued", "skipped", "ignored", "not_found", "error"])
    replay_event_id = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


class ReplayEventsResponseSerializer(serializers.Serializer):
    event_ids = serializers.ListField(child=serializers.CharField())
    replayed = serializers.IntegerField()
    results = ReplayResultSerializer(many=True)


class AcknowledgeTrackingRequestSerializer(serializers.Serializer):
    ack_id = serializers.CharField()


