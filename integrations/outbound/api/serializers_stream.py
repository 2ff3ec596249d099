"""Shapes of the pollable-outbound operations, for the OpenAPI document (the services validate bodies)."""
from rest_framework import serializers


class PollRequestSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10, required=False)


class OutboundMessageSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="msg_..., stable across leases")
    lease_token = serializers.CharField(help_text="lt_..., echo it back on ack")
    use_case_id = serializers.CharField()
    event_name = serializers.CharField()
    event_id = serializers.CharField()
    group = serializers.CharField(help_text='Always "0"')
    payload = serializers.DictField()
    enqueued_at = serializers.DateTimeField()
    org_id = serializers.CharField(required=False)
    mapping_version = serializers.CharField(required=False, help_text="Set when an enqueue-time transform ran")


class PollResponseSerializer(serializers.Serializer):
    messages = OutboundMessageSerializer(many=True)
    visibility_timeout_seconds = serializers.IntegerField()
    has_more = serializers.BooleanField()


class AckItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    lease_token = serializers.CharField()


class AckRequestSerializer(serializers.Serializer):
    acks = AckItemSerializer(many=True)


class AckResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["accepted", "rejected"])
    reason = serializers.ChoiceField(choices=["stale_lease", "out_of_order", "not_found"], required=False)


class AckResponseSerializer(serializers.Serializer):
    results = AckResultSerializer(many=True)


class DlqMessageSerializer(serializers.Serializer):
    id = serializers.CharField()
    use_case_id = serializers.CharField()
    event_name = serializers.CharField()
    event_id = serializers.CharField()
    enqueued_at = serializers.DateTimeField()
    dead_lettered_at = serializers.DateTimeField()
    delivery_attempts = serializers.IntegerField()
    reason = serializers.CharField()
    expires_at = serializers.DateTimeField()


class DlqListSerializer(serializers.Serializer):
    items = DlqMessageSerializer(many=True)
    next_token = serializers.CharField(required=False)


class RedriveRequestSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.CharField(), min_length=1, max_length=100)
    reapply_mapping = serializers.BooleanField(required=False, help_text="Run the current poll transform again")


class RedriveResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["redriven", "not_found"])


class RedriveResponseSerializer(serializers.Serializer):
    results = RedriveResultSerializer(many=True)


class UnblockRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False)


class UnblockResponseSerializer(serializers.Serializer):
    unblocked = serializers.BooleanField()
    dead_lettered_id = serializers.CharField(required=False)
