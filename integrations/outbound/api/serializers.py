"""Shapes of the outbound operations, for the OpenAPI document. Bodies are validated by the services (they
name the offending field in a ``{code, message}`` 400)."""
from rest_framework import serializers

from erpintegration.api.serializers import MessageSerializer  # noqa: F401 - one "Message" component for the schema


class WebhookWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    url = serializers.URLField(max_length=2048, help_text="http(s) URL; non-public addresses need OUTBOUND_HTTP_ALLOWLIST")
    enabled = serializers.BooleanField(default=True)
    headers = serializers.DictField(child=serializers.CharField(), required=False,
                                    help_text="Custom request headers (stored encrypted; values never returned)")


class WebhookSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.CharField()
    enabled = serializers.BooleanField()
    headers = serializers.DictField(child=serializers.CharField(), help_text="Header names; values masked")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="Signing secret (whsec_...). Shown only on create and rotate.")


class WebhookListSerializer(serializers.Serializer):
    webhooks = WebhookSerializer(many=True)


class PublishEventRequestSerializer(serializers.Serializer):
    event_name = serializers.CharField(max_length=255, help_text="e.g. contract.created")
    payload = serializers.DictField(required=False, default=dict)
    event_id = serializers.CharField(required=False, max_length=64, help_text="Defaults to a new ULID")
    event_time = serializers.DateTimeField(required=False)
    event_version = serializers.CharField(required=False, max_length=32)


class DeliverySerializer(serializers.Serializer):
    delivery_id = serializers.UUIDField(help_text="Also the webhook-id header of every attempt")
    event_id = serializers.CharField()
    event_name = serializers.CharField()
    integration_id = serializers.CharField(allow_null=True)
    use_case_id = serializers.CharField(allow_null=True)
    mapping_id = serializers.CharField()
    webhook_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["succeeded", "failed", "pending"])
    attempts = serializers.IntegerField()
    error = serializers.CharField(allow_null=True)
    resend_of = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class PublishEventResponseSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    event_name = serializers.CharField()
    deliveries = DeliverySerializer(many=True)


class WebhookStatusSerializer(serializers.Serializer):
    webhookId = serializers.CharField()  # noqa: N815 - contract casing
    webhookName = serializers.CharField(required=False)  # noqa: N815
    enabled = serializers.BooleanField(allow_null=True)


class OutboundConflictSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["event_disabled", "all_webhooks_disabled", "event_enabled_while_disabled",
                                            "webhook_enabled_while_disabled"])
    webhookId = serializers.CharField(required=False)  # noqa: N815
    message = serializers.CharField()


class OutboundUseCaseStatusSerializer(serializers.Serializer):
    useCaseId = serializers.UUIDField()  # noqa: N815
    name = serializers.CharField()
    useCaseEnabled = serializers.BooleanField()  # noqa: N815
    eventCatalogEvent = serializers.CharField(required=False)  # noqa: N815
    eventEnabled = serializers.BooleanField(allow_null=True)  # noqa: N815
    webhooks = WebhookStatusSerializer(many=True)
    status = serializers.ChoiceField(choices=["ok", "conflict", "disabled"])
    conflicts = OutboundConflictSerializer(many=True)


class OutboundStatusResponseSerializer(serializers.Serializer):
    useCases = OutboundUseCaseStatusSerializer(many=True)  # noqa: N815


class TriggerErpActionRequestSerializer(serializers.Serializer):
    execution_id = serializers.CharField()
    org_id = serializers.CharField()
    webhook_id = serializers.CharField()
    flow_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    action_id = serializers.CharField()
    flow_action_id = serializers.CharField()
    flow_name = serializers.CharField()
    activity_id = serializers.CharField()
    entity_id = serializers.CharField()


class TriggerWebhookRespSerializer(serializers.Serializer):
    status_code = serializers.CharField()
    message = serializers.CharField()
    body = serializers.DictField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["succeeded", "failed"])
    start_date = serializers.CharField()
    end_date = serializers.CharField()
    event_id = serializers.CharField()

