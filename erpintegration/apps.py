from django.apps import AppConfig


class ErpIntegrationConfig(AppConfig):
    name = "erpintegration"
    verbose_name = "Tenancy and access"

    def ready(self):
        from .api import schema  # noqa: F401  (registers the OpenAPI authentication extension)
