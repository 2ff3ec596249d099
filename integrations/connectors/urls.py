"""Connectors pages under ``/integrations/`` (namespace ``ui-integrations``, assembled in
``erpintegration/urls.py``)."""
from django.urls import path

from integrations.connectors import views

urlpatterns = [
    path("<str:integration_id>/types/", views.types_page, name="types"),
    path("<str:integration_id>/use-cases/<str:use_case_id>/try/", views.managed_call_try, name="managed-call-try"),
    path("<str:integration_id>/use-cases/<str:use_case_id>/whitelist/", views.secure_proxy_whitelist,
         name="whitelist"),
]
