from django.urls import path

from integrations.outbound.api import views_stream as views

BASE = "v1/integrations/<str:integrationId>/outbound/messages"

urlpatterns = [
    path(f"{BASE}/poll", views.PollView.as_view(), name="outbound-messages-poll"),
    path(f"{BASE}/ack", views.AckView.as_view(), name="outbound-messages-ack"),
    path(f"{BASE}/dlq", views.DlqListView.as_view(), name="outbound-messages-dlq"),
    path(f"{BASE}/dlq/redrive", views.RedriveView.as_view(), name="outbound-messages-redrive"),
    path(f"{BASE}/unblock", views.UnblockView.as_view(), name="outbound-messages-unblock"),
]
