"""Create, update and delete integrations (docs/configuration-validation.md). Inputs are already
shape-validated by the caller."""
from __future__ import annotations

from django.db import transaction

from erpintegration.exceptions import NotFound, ValidationFailed
from integrations.configuration import ConfigurationInvalid
from integrations.configuration.connector import validate_connector_config
from integrations.models import Integration
from integrations.setup.services import maps as map_rules
from integrations.setup.services.timestamps import align_timestamps
from integrations.setup.services.use_cases import sync_use_cases

#: Fields a caller may set on an integration; anything else in ``data`` is ignored.
EDITABLE_FIELDS = ("name", "description", "access_token_ids", "app_ids", "environment_config", "settings",
                   "integration_type", "connector_config", "protected", "_manifest", "maps")
#: Contract names that differ from the model's attribute names.
MODEL_FIELD = {"_manifest": "manifest"}


class InvalidConnectorConfig(ValidationFailed):
    code = "INVALID_CONFIGURATION"


def _apply(integration: Integration, data: dict) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            value = data[field]
            if field in ("access_token_ids", "app_ids", "environment_config", "maps") and value is None:
                value = []
            if field == "connector_config" and value is not None:
                value = _connector_config(value, integration.connector_config)
            if field == "integration_type" and value is None:
                value = "erp"
            if field == "protected":
                value = bool(value)
            setattr(integration, MODEL_FIELD.get(field, field), value)
    check_map_keys(integration)


def _connector_config(value, previous):
    """Secrets only as ``{{env.key}}`` references; a literal is a 400 naming the field."""
    try:
        return validate_connector_config(value, previous if isinstance(previous, dict) else None)
    except ConfigurationInvalid as exc:
        raise InvalidConnectorConfig(exc.message, details=exc.details)


def check_map_keys(integration: Integration) -> None:
    """A map key must not also be a declared environment variable (both are ``$env.<key>``)."""
    issues = map_rules.map_issues(integration.maps or [], map_rules.environment_keys(integration.environment_config))
    if issues:
        path, message = issues[0]
        raise ValidationFailed(f"{path}: {message}", details=[{"path": p, "message": m} for p, m in issues])


@transaction.atomic
def create_integration(org, data: dict) -> Integration:
    """A new integration of ``org``; ``data`` needs ``name``, the other editable fields are optional."""
    integration = Integration(organization=org)
    _apply(integration, data)
    if not (integration.name or "").strip():
        raise ValidationFailed("name: This field is required.")
    integration.save()
    align_timestamps(integration)
    return integration


@transaction.atomic
def update_integration(org, integration: Integration, data: dict) -> Integration:
    """Partial merge: only the keys present in ``data`` change (docs/configuration-validation.md, updates
    merge)."""
    _check_owner(org, integration)
    locked = Integration.objects.select_for_update().get(pk=integration.pk)
    _apply(locked, data)
    if not (locked.name or "").strip():
        raise ValidationFailed("name: may not be blank.")
    locked.save()
    return locked


@transaction.atomic
def delete_integration(org, integration: Integration) -> None:
    """Delete the integration; use cases, their history and app mappings go with it (FK cascade)."""
    _check_owner(org, integration)
    integration.delete()


def _check_owner(org, integration: Integration) -> None:
    # Services trust their callers to pass objects from org-scoped selectors; this guards against slips.
    if integration.organization_id != org.pk:
        raise NotFound(f"Integration {integration.pk} not found")


@transaction.atomic
def create_integration_with_use_cases(org, data: dict, actor: str = "") -> Integration:
    """v2 create: the integration and its embedded use cases, all or nothing."""
    integration = create_integration(org, data)
    sync_use_cases(org, integration, data.get("use_cases") or [], actor)
    return integration


@transaction.atomic
def update_integration_with_use_cases(org, integration: Integration, data: dict, actor: str = "") -> Integration:
    """v2 PUT: merge the integration fields and, when ``use_cases`` is given, sync them declaratively.

    A request without ``use_cases`` leaves them alone rather than deleting them all; ``[]`` deletes all.
    """
    integration = update_integration(org, integration, data)
    if data.get("use_cases") is not None:
        sync_use_cases(org, integration, data["use_cases"], actor)
    return integration
