"""Per-integration environment values (the values of the variables ``Integration.environment_config``
declares). ``SecretString`` values are stored encrypted (``erpintegration.lib.crypto``) and are never
rendered back: read them only through ``fileproxy.environment.load_environment``."""
from django.db import models


class EnvironmentValue(models.Model):
    organization = models.ForeignKey("erpintegration.Organization", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="environment_values"
    )
    key = models.CharField(max_length=255)
    value = models.TextField(help_text="Plain text, or the ciphertext when is_secret")
    is_secret = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="uniq_environment_value_key")]

    def __str__(self) -> str:
        return self.key
