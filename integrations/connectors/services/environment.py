"""An integration's environment for connector calls, secrets included, and the masking that keeps them out
of everything we show or store.

Secrets are decrypted here and only handed to the HTTP layer (headers, token requests). The values belong
to the file proxy's store; they are read through the integration's reverse relation (``environment_values``)
so this module imports nothing above ``integrations`` in the app chain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from erpintegration.exceptions import ApplicationError
from erpintegration.lib import crypto

SECRET_TYPE = "SecretString"
MASK = "••••••"
MIN_MASKED_LENGTH = 4  # shorter secrets would mask ordinary text everywhere


@dataclass
class ConnectorEnvironment:
    values: dict[str, str] = field(default_factory=dict)
    secret_keys: frozenset[str] = frozenset()
    extra_secrets: set[str] = field(default_factory=set)  # values obtained at run time (access tokens)

    def public_values(self) -> dict[str, str]:
        return {k: v for k, v in self.values.items() if k not in self.secret_keys}

    def secrets(self) -> list[str]:
        found = {self.values[k] for k in self.secret_keys if k in self.values} | self.extra_secrets
        return sorted((s for s in found if len(s) >= MIN_MASKED_LENGTH), key=len, reverse=True)

    def mask(self, value: Any) -> Any:
        """``value`` with every secret (and run-time token) replaced by ``MASK``, recursively."""
        return mask(value, self.secrets())


def mask(value: Any, secrets: list[str]) -> Any:
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {mask(k, secrets): mask(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v, secrets) for v in value]
    return value


def load_connector_environment(integration) -> ConnectorEnvironment:
    declared_secret = {item.get("key") for item in integration.environment_config or []
                       if isinstance(item, dict) and item.get("type") == SECRET_TYPE}
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for row in integration.environment_values.all():
        if row.is_secret:
            try:
                values[row.key] = crypto.decrypt(row.value)
            except crypto.DecryptionFailed:
                raise ApplicationError(
                    f"the secret environment value {row.key!r} cannot be decrypted with the configured keys",
                    code="CONFIGURATION_ERROR", status_code=500,
                )
            secret_keys.add(row.key)
        else:
            values[row.key] = row.value
            if row.key in declared_secret:
                secret_keys.add(row.key)
    return ConnectorEnvironment(values, frozenset(secret_keys))
