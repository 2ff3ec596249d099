"""The deliveries tab of an integration (part of namespace ``ui-integrations``, under ``/integrations/``)."""
from django.urls import path

from integrations.outbound import views

urlpatterns = [
    path("<str:integration_id>/deliveries/", views.delivery_list, name="deliveries"),
    path("<str:integration_id>/deliveries/<str:row_id>/", views.delivery_detail, name="delivery"),
    path("<str:integration_id>/deliveries/<str:row_id>/resend/", views.delivery_resend, name="delivery-resend"),
]
