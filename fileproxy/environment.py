"""Environment values of an integration: set, delete, load for the file proxy, describe without secrets.

Only variables the integration declares in ``environment_config`` can be set; the declared type decides
whether the value is a secret (``SecretString``: encrypted at rest, never returned by ``describe``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from erpintegration.exceptions import ApplicationError, ValidationFailed
from erpintegration.lib import crypto
from fileproxy.models import EnvironmentValue

SECRET_TYPE = "SecretString"


@dataclass(frozen=True)
class Environment:
    """Decrypted values for one run. ``secret_keys`` lets callers keep secrets out of what they render back."""

    values: dict[str, str] = field(default_factory=dict)
    secret_keys: frozenset[str] = frozenset()

    def public_values(self) -> dict[str, str]:
        return {k: v for k, v in self.values.items() if k not in self.secret_keys}


def declared_variables(integration) -> dict[str, dict]:
    return {item["key"]: item for item in integration.environment_config or []
            if isinstance(item, dict) and isinstance(item.get("key"), str)}


@transaction.atomic
def set_environment_value(integration, key: str, value: str) -> EnvironmentValue:
    declared = declared_variables(integration)
    if key not in declared:
        raise ValidationFailed(f"key: {key!r} is not declared in the integration's environment_config")
    if not isinstance(value, str):
        raise ValidationFailed(f"value: the value of {key!r} must be a string")
    is_secret = declared[key].get("type") == SECRET_TYPE
    stored = crypto.encrypt(value) if is_secret else value
    row, _ = EnvironmentValue.objects.update_or_create(
        integration=integration, key=key,
        defaults={"organization_id": integration.organization_id, "value": stored, "is_secret": is_secret},
    )
    return row


def delete_environment_value(integration, key: str) -> bool:
    deleted, _ = EnvironmentValue.objects.filter(integration=integration, key=key).delete()
    return bool(deleted)


def load_environment(integration) -> Environment:
    values: dict[str, str] = {}
    secrets: set[str] = set()
    for row in EnvironmentValue.objects.filter(integration=integration, organization_id=integration.organization_id):
        if row.is_secret:
            try:
                values[row.key] = crypto.decrypt(row.value)
            except crypto.DecryptionFailed:
                raise ApplicationError(
                    f"the secret environment value {row.key!r} cannot be decrypted with the configured keys",
                    code="CONFIGURATION_ERROR", status_code=502,
                )
            secrets.add(row.key)
        else:
            values[row.key] = row.value
    return Environment(values, frozenset(secrets))


def describe_environment(integration) -> list[dict]:
    """Each declared variable with whether it is set; secret values are never included."""
    stored = {row.key: row for row in EnvironmentValue.objects.filter(integration=integration)}
    out = []
    for key, item in declared_variables(integration).items():
        row = stored.get(key)
        secret = item.get("type") == SECRET_TYPE or (row is not None and row.is_secret)
        out.append({"key": key, "label": item.get("label", key), "type": item.get("type", "String"),
                    "is_set": row is not None, "value": None if secret or row is None else row.value})
    return out
