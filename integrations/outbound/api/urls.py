from django.urls import include, path

from integrations.outbound.api import views

urlpatterns = [
    path("v1/erp/trigger", views.TriggerErpView.as_view(), name="erp-trigger"),
    path("v1/integrations/<str:integrationId>/outbound-status", views.OutboundStatusView.as_view(),
         name="integration-outbound-status"),
    path("v1/webhooks", views.WebhookListView.as_view(), name="webhooks"),
    path("v1/webhooks/<str:webhookId>", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("v1/webhooks/<str:webhookId>/rotate-secret", views.WebhookRotateSecretView.as_view(),
         name="webhook-rotate-secret"),
    path("v1/event-catalog/events", views.PublishEventView.as_view(), name="event-catalog-publish"),
    path("v1/outbound/deliveries/<str:deliveryId>", views.DeliveryDetailView.as_view(), name="outbound-delivery"),
    path("v1/outbound/deliveries/<str:deliveryId>/resend", views.DeliveryResendView.as_view(),
         name="outbound-delivery-resend"),
]
urlpatterns += [path("", include("integrations.outbound.api.urls_stream"))]  # the pollable stream's operations
