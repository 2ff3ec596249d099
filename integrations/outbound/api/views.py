"""Outbound API: getOutboundStatus and triggerErp (contract), plus the self-hosted extensions webhooks,
event-catalog publishing and delivery resend (documented in our OpenAPI, bearer auth, org-scoped)."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from erpintegration.auth import request_organization
from integrations.outbound.api import serializers as s
from integrations.outbound.services import catalog as outbound
from integrations.outbound.services import trigger, webhooks

EXTENSION_TAGS = ["outbound (self-hosted extension)"]
ERRORS = {
    400: OpenApiResponse(description="Invalid request: {code, message} naming the field"),
    401: OpenApiResponse(description="Missing or invalid token"),
    404: OpenApiResponse(description="Not found (or another organisation's): {code, message}"),
}
MASK = "********"


def webhook_as_dict(webhook, secret: str | None = None) -> dict:
    body = {
        "id": str(webhook.id),
        "name": webhook.name,
        "url": webhook.url,
        "enabled": webhook.enabled,
        "headers": {name: MASK for name in webhook.header_names()},
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
    }
    if secret is not None:
        body["secret"] = secret
    return body


class OutboundStatusView(APIView):
    @extend_schema(operation_id="getOutboundStatus", tags=["integrations"],
                   responses={200: s.OutboundStatusResponseSerializer, 401: ERRORS[401], 404: ERRORS[404]},
                   description="Per outbound use case: enabled flags of the use case, its event and webhooks, and "
                   "the conflicts between them.")
    def get(self, request, integrationId):  # the contract's path parameter name
        return Response({"useCases": outbound.outbound_status(request_organization(request), integrationId)})


class TriggerErpView(APIView):
    @extend_schema(operation_id="triggerErp", tags=["erp", "trigger"], request=s.TriggerErpActionRequestSerializer,
                   responses={200: s.TriggerWebhookRespSerializer, 400: ERRORS[400], 401: ERRORS[401]},
                   description="Calls webhook webhook_id synchronously with the entity entity_id (automation "
                   "'inform-erp'); the outcome of the call is in status/status_code.")
    def post(self, request):
        return Response(trigger.trigger_erp(request_organization(request), request.data))


class WebhookListView(APIView):
    @extend_schema(operation_id="listWebhooks", tags=EXTENSION_TAGS, responses={200: s.WebhookListSerializer})
    def get(self, request):
        items = webhooks.list_webhooks(request_organization(request))
        return Response({"webhooks": [webhook_as_dict(w) for w in items]})

    @extend_schema(operation_id="createWebhook", tags=EXTENSION_TAGS, request=s.WebhookWriteSerializer,
                   responses={201: s.WebhookWithSecretSerializer, 400: ERRORS[400]},
                   description="The response is the only time the signing secret is shown (or rotate it).")
    def post(self, request):
        created = webhooks.create_webhook(request_organization(request), request.data)
        return Response(webhook_as_dict(created.webhook, created.secret), status=201)


class WebhookDetailView(APIView):
    @extend_schema(operation_id="getWebhook", tags=EXTENSION_TAGS, responses={200: s.WebhookSerializer, 404: ERRORS[404]})
    def get(self, request, webhookId):
        return Response(webhook_as_dict(webhooks.get_webhook(request_organization(request), webhookId)))

    @extend_schema(operation_id="updateWebhook", tags=EXTENSION_TAGS, request=s.WebhookWriteSerializer(partial=True),
                   responses={200: s.WebhookSerializer, **ERRORS},
                   description="Partial update: only the given fields change; headers are replaced as a whole.")
    def put(self, request, webhookId):
        return Response(webhook_as_dict(webhooks.update_webhook(request_organization(request), webhookId,
                                                                request.data)))

    @extend_schema(operation_id="deleteWebhook", tags=EXTENSION_TAGS, responses={200: s.MessageSerializer,
                                                                                   404: ERRORS[404]})
    def delete(self, request, webhookId):
        webhooks.delete_webhook(request_organization(request), webhookId)
        return Response({"message": "Webhook deleted"})


class WebhookRotateSecretView(APIView):
    @extend_schema(operation_id="rotateWebhookSecret", tags=EXTENSION_TAGS, request=None,
                   responses={200: s.WebhookWithSecretSerializer, 404: ERRORS[404]},
                   description="A new signing secret, shown once; the old one stops working at once.")
    def post(self, request, webhookId):
        rotated = webhooks.rotate_secret(request_organization(request), webhookId)
        return Response(webhook_as_dict(rotated.webhook, rotated.secret))


class PublishEventView(APIView):
    @extend_schema(operation_id="publishCatalogEvent", tags=EXTENSION_TAGS, request=s.PublishEventRequestSerializer,
                   responses={201: s.PublishEventResponseSerializer, 400: ERRORS[400],
                              409: OpenApiResponse(description="event_id already published")},
                   description="Publishes a platform event: every enabled outbound use case listening to event_name "
                   "maps it with each enabled mapping and delivers it to the mapping's webhook.")
    def post(self, request):
        publication = outbound.publish_event(request_organization(request), request.data)
        return Response({
            "event_id": publication.event.event_id,
            "event_name": publication.event.event_name,
            "deliveries": [outbound.delivery_as_dict(d) for d in publication.deliveries],
            "skipped": publication.event.skipped,
        }, status=201)


class DeliveryDetailView(APIView):
    @extend_schema(operation_id="getOutboundDelivery", tags=EXTENSION_TAGS,
                   responses={200: s.DeliverySerializer, 404: ERRORS[404]})
    def get(self, request, deliveryId):
        return Response(outbound.delivery_as_dict(outbound.get_delivery(request_organization(request), deliveryId)))


class DeliveryResendView(APIView):
    @extend_schema(operation_id="resendOutboundDelivery", tags=EXTENSION_TAGS, request=None,
                   responses={201: s.DeliverySerializer, 404: ERRORS[404],
                              409: OpenApiResponse(description="Still pending, or no payload to resend")},
                   description="Sends a settled delivery's payload again as a new delivery.")
    def post(self, request, deliveryId):
        delivery = outbound.resend_delivery(request_organization(request), deliveryId)
        return Response(outbound.delivery_as_dict(delivery), status=201)
