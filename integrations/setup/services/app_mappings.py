"""Route (app_id, component_id) pairs to integrations for the deprecated v1 events endpoint
(docs/configuration-validation.md, app mappings).

One pair maps to at most one integration per organisation (unique constraint). Setting the pair on the
integration it already points to is a no-op; moving it elsewhere needs ``overwrite``.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction

from erpintegration.exceptions import Conflict, NotFound
from integrations.models import AppMapping, Integration


def _check_owner(org, integration: Integration) -> None:
    if integration.organization_id != org.pk:
        raise NotFound(f"Integration {integration.pk} not found")


@transaction.atomic
def set_app_mapping(org, integration: Integration, app_id: str, component_id: str, overwrite: bool = False) -> AppMapping:
    """Map the pair to ``integration``; Conflict when it belongs to another one and ``overwrite`` is false."""
    _check_owner(org, integration)
    mapping = (
        AppMapping.objects.select_for_update()
        .filter(organization=org, app_id=app_id, component_id=component_id)
        .first()
    )
    if mapping is None:
        try:
            with transaction.atomic():
                return AppMapping.objects.create(
                    organization=org, integration=integration, app_id=app_id, component_id=component_id
                )
        except IntegrityError:  # a concurrent request created it first: decide as if we had seen it
            mapping = AppMapping.objects.select_for_update().get(
                organization=org, app_id=app_id, component_id=component_id
            )
    if mapping.integration_id == integration.pk:
        return mapping
    if not overwrite:
        raise Conflict(
            f"app_id {app_id} / component_id {component_id} is already mapped to integration "
            f"{mapping.integration_id}; send overwrite=true to move it",
            code="APP_MAPPING_EXISTS",
        )
    mapping.integration = integration
    mapping.save(update_fields=["integration", "updated_at"])
    return mapping


@transaction.atomic
def delete_app_mapping(org, integration: Integration, app_id: str, component_id: str) -> None:
    """Remove the pair's mapping; NotFound when it is absent or points to another integration."""
    _check_owner(org, integration)
    deleted, _ = AppMapping.objects.filter(
        organization=org, integration=integration, app_id=app_id, component_id=component_id
    ).delete()
    if not deleted:
        raise NotFound(
            f"No app mapping of app_id {app_id} / component_id {component_id} to integration {integration.pk}"
        )


def resolve_app_mapping(org, app_id: str, component_id: str) -> Integration | None:
    """The integration the pair routes to, for the v1 events endpoint; None when unmapped."""
    mapping = (
        AppMapping.objects.filter(organization=org, app_id=app_id, component_id=component_id)
        .select_related("integration")
        .first()
    )
    return mapping.integration if mapping else None
