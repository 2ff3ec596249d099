from django.apps import AppConfig


class ErpIntegrationConfig(AppConfig):
    name = "erpintegration"
    verbose_name = "Tenancy and access"
